/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_VERSION_H
#define _CATOPROXY_VERSION_H

#define CATOPROXY_VERSION "0.1.0"

#endif /* _CATOPROXY_VERSION_H */
