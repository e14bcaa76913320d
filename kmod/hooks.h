/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_HOOKS_H
#define _CATOPROXY_HOOKS_H

int catoproxy_hooks_init(void);
void catoproxy_hooks_uninit(void);

#endif /* _CATOPROXY_HOOKS_H */
