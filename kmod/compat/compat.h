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

#endif /* _CATOPROXY_COMPAT_H */
