/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet and policy logic is plain C so that it can be unit-tested and
 * fuzzed on the host. This header is its only view of the environment: the
 * kernel's types when built into the module, libc's otherwise.
 */
#ifndef _CATOPROXY_PURE_H
#define _CATOPROXY_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/socket.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
#endif

#include <linux/catoproxy.h>

#endif /* _CATOPROXY_PURE_H */
