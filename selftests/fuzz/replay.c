// SPDX-License-Identifier: GPL-2.0
/*
 * Runs a libFuzzer target without libFuzzer: on the files named on the
 * command line, or on a fixed number of pseudo-random inputs from a fixed
 * seed, so that the unit tests exercise the target deterministically with
 * any C compiler. Prints one TAP line.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint8_t next_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)rng;
}

int main(int argc, char *argv[])
{
	static uint8_t buf[4096];
	long iterations = 20000, i;
	size_t len, j;

	if (argc > 1 && argv[1][0] != '-') {
		for (i = 1; i < argc; i++) {
			FILE *f = fopen(argv[i], "rb");

			if (!f) {
				perror(argv[i]);
				return 1;
			}
			len = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, len);
		}
		printf("ok 1 - %s: %d inputs replayed\n", argv[0], argc - 1);
		return 0;
	}
	if (argc > 1)
		iterations = strtol(argv[1] + 1, NULL, 10);
	for (i = 0; i < iterations; i++) {
		len = next_byte() * 4u % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = next_byte();
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("ok 1 - %s: %ld pseudo-random inputs\n", argv[0], iterations);
	return 0;
}
