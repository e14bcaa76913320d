/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_NETLINK_H
#define _CATOPROXY_NETLINK_H

int catoproxy_netlink_init(void);
void catoproxy_netlink_uninit(void);

#endif /* _CATOPROXY_NETLINK_H */
