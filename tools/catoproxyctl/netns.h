/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXYCTL_NETNS_H
#define _CATOPROXYCTL_NETNS_H

#include <stdbool.h>

/* Names as `ip netns add' accepts them: no path tricks. */
bool netns_name_valid(const char *name);
/* Moves this process into /run/netns/@name; 0 or a negative errno. */
int netns_enter(const char *name);

#endif /* _CATOPROXYCTL_NETNS_H */
