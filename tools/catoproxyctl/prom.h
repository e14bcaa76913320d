/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `show stats prometheus': the counters in the Prometheus text exposition
 * format (version 0.0.4), for node_exporter's textfile collector. No
 * netlink here, so the unit tests check the exact text.
 */
#ifndef _CATOPROXYCTL_PROM_H
#define _CATOPROXYCTL_PROM_H

#include <stdio.h>
#include "ipc.h"

/* What a counter counts, for "# HELP"; NULL for one newer than us. */
const char *stat_help(unsigned int type);

/*
 * For each counter "# HELP", "# TYPE ... counter" and
 * "catoproxy_NAME_total VALUE", then the gauge catoproxy_adaptive_entries
 * when the kernel reports it. A counter newer than us is
 * catoproxy_stat_N_total.
 */
void print_stats_prometheus(FILE *f, const struct ipc_stats *stats);

#endif /* _CATOPROXYCTL_PROM_H */
