/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every file of the module. The code is written for the
 * newest supported kernel; Kbuild.include probes the target tree and sets a
 * COMPAT_CANNOT_* macro for each interface it lacks, which is supplied here.
 */
#ifndef _CATOPROXY_COMPAT_H
#define _CATOPROXY_COMPAT_H

#ifdef COMPAT_CANNOT_GENL_INFO_DUMP
#include <net/genetlink.h>
/* The dump's parsed request moved into a struct genl_info. */
#define genl_info_dump(cb) (&(struct genl_info){				\
	.attrs = genl_dumpit_info(cb)->attrs,				\
	.extack = (cb)->extack,						\
})
#endif

#endif /* _CATOPROXY_COMPAT_H */
