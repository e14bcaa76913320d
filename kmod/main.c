// SPDX-License-Identifier: GPL-2.0
/*
 * catoproxy: policy-driven TCP proxy front-end for forwarding routers.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "conn.h"
#include "halfopen.h"
#include "hooks.h"
#include "netlink.h"
#include "netns.h"
#include "version.h"

static int __init catoproxy_mod_init(void)
{
	int ret;

	ret = catoproxy_net_init();
	if (ret)
		goto err_net;
	ret = catoproxy_conn_init();
	if (ret)
		goto err_conn;
	ret = catoproxy_hooks_init();
	if (ret)
		goto err_hooks;
	ret = catoproxy_halfopen_init();
	if (ret)
		goto err_halfopen;
	ret = catoproxy_netlink_init();
	if (ret)
		goto err_netlink;

	pr_info("version " CATOPROXY_VERSION " loaded\n");
	return 0;

err_netlink:
	catoproxy_halfopen_uninit();
err_halfopen:
	catoproxy_hooks_uninit();
err_hooks:
	catoproxy_conn_uninit();
err_conn:
	catoproxy_net_uninit();
err_net:
	return ret;
}

static void __exit catoproxy_mod_exit(void)
{
	catoproxy_netlink_uninit();
	catoproxy_halfopen_uninit();
	catoproxy_hooks_uninit();
	catoproxy_conn_uninit();
	catoproxy_net_uninit();
	pr_info("version " CATOPROXY_VERSION " unloaded\n");
}

module_init(catoproxy_mod_init);
module_exit(catoproxy_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Policy-driven TCP proxy front-end for forwarding routers");
MODULE_AUTHOR("The catoproxy developers");
MODULE_VERSION(CATOPROXY_VERSION);
MODULE_ALIAS_GENL_FAMILY(CATOPROXY_GENL_NAME);
