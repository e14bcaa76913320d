/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every file of the module. The code is written for the
 * newest supported kernel; Kbuild.include probes the target tree and sets a
 * COMPAT_CANNOT_* macro for each interface it lacks, which is supplied here.
 */
#ifndef _CATOPROXY_COMPAT_H
#define _CATOPROXY_COMPAT_H

#ifdef COMPAT_CANNOT_CONST_GENL_INFO_NET
#include <net/genetlink.h>
/* Before 6.4 the accessor took a non-const genl_info. */
static inline struct net *compat_genl_info_net(const struct genl_info *info)
{
	return read_pnet(&info->_net);
}
#define genl_info_net compat_genl_info_net
#endif

#ifdef COMPAT_CANNOT_CONST_NLA_RANGE
#include <net/netlink.h>
/*
 * Older kernels (6.1) declare a policy's range pointer without const,
 * though they only ever read through it.
 */
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_UINT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}
#endif

#ifdef COMPAT_CANNOT_TCP_CLOCK_MS
#include <net/tcp.h>
/* The millisecond TCP clock was called tcp_time_stamp_raw() before 6.7. */
#define tcp_clock_ms() ((u64)tcp_time_stamp_raw())
#endif

#ifdef COMPAT_CANNOT_COOKIE_CHECK_2
/* Every header that calls the old form must be expanded before the macro. */
#include <linux/netfilter_ipv6.h>
#include <net/tcp.h>
/* Before 6.7 the caller passed the cookie; it is always the ACK number - 1. */
#define __cookie_v4_check(iph, th) \
	__cookie_v4_check(iph, th, ntohl((th)->ack_seq) - 1)
#define __cookie_v6_check(iph, th) \
	__cookie_v6_check(iph, th, ntohl((th)->ack_seq) - 1)
#endif

#ifdef COMPAT_CANNOT_GENL_SPLIT_OPS
#include <net/genetlink.h>
/*
 * Split operations came in 6.2. Before, the full operations already take
 * a per-operation policy, and with one operation per command (each ours
 * has a doit or a dumpit, never both) a table of split operations is a
 * table of full ones: the generated table and the family use these names.
 */
#define genl_split_ops genl_ops
#define split_ops ops
#define n_split_ops n_ops
#endif

#ifdef COMPAT_CANNOT_GENL_MCAST_CAP
/*
 * Multicast groups got a capability flag in 6.7 and 6.1.66; before it a
 * generic netlink family had no way to refuse a subscriber (the family's
 * bind callback came later still), and the events group must not be open
 * to everyone.
 */
#error "this kernel cannot restrict the events group to CAP_NET_ADMIN (GENL_MCAST_CAP_NET_ADMIN: 6.1.66 or later)"
#endif

#endif /* _CATOPROXY_COMPAT_H */
