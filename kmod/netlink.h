/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_NETLINK_H
#define _CATOPROXY_NETLINK_H

/*
 * The generic netlink family. Only main.c calls these: the rest of the
 * module never calls into netlink.c (events go out through event.c).
 */
int catoproxy_netlink_init(void);
void catoproxy_netlink_uninit(void);

#endif /* _CATOPROXY_NETLINK_H */
