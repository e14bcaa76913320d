#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Assertions over what "catoproxyctl -j show ..." says in a network
namespace (NS, "" for this one), for the tests that configure and then
look (netns.sh, load_unload.sh, rules.sh, blocked.sh): one run per check,
its "#" diagnostics and failures on stdout, exit code 1 when an assert
failed.

  ctl_check.py config NS DESC WANT
        "MODE TLS_INSPECTION BLOCKED_SYN CHALLENGE_ACK SITE_COUNT" of show
        config is WANT (booleans as True/False).
  ctl_check.py listing NS WHAT DESC FORMAT WANT
        show WHAT (sites, rules, conns) with each entry formatted by
        FORMAT ("{pos}:{id}", "{name} {mode}"; a list value comma-joined),
        the entries space-separated, is WANT.
  ctl_check.py rule NS POS DESC WANT
        The JSON of the rule at position POS of show rules, keys in order,
        is WANT.
  ctl_check.py hits NS DESC WANT ID...
        The hits of the rules ID..., space-separated, are WANT.
  ctl_check.py conns NS DESC WANT KEY=VALUE[,VALUE...]...
        WANT entries of show conns have, for every KEY, one of the VALUEs.
  ctl_check.py stats_zero NS DESC
        show stats has more than eight counters, every one of them 0.
"""

import json
import sys

from lib.py import check_main, ctl, get, ksft_eq, ksft_true
from lib.py.events import ev_count


def show(ns, what):
    return ctl("show", what, ns=ns or None)


def config(ns, desc, want):
    d = show(ns, "config")
    ksft_eq(want, get(lambda: " ".join(str(d[k]) for k in (
        "mode", "tls_inspection", "blocked_syn", "challenge_ack",
        "site_count"))), desc)


def entry_fmt(fmt, e):
    return fmt.format(**{k: ",".join(str(x) for x in v)
                         if isinstance(v, list) else v
                         for k, v in e.items()})


def listing(ns, what, desc, fmt, want):
    d = show(ns, what)
    ksft_eq(want, get(lambda: " ".join(entry_fmt(fmt, e) for e in d)), desc)


def rule(ns, pos, desc, want):
    d = show(ns, "rules")
    ksft_eq(want, get(lambda: json.dumps(d[int(pos) - 1])), desc)


def hits(ns, desc, want, *ids):
    d = show(ns, "rules")
    ksft_eq(want, get(lambda: " ".join(
        str([r["hits"] for r in d if r["id"] == int(i)][0]) for i in ids)),
        desc)


def conns(ns, desc, want, *filters):
    want_kv = {}
    for f in filters:
        k, v = f.split("=", 1)
        want_kv[k] = v.split(",")
    ksft_eq(int(want), ev_count(show(ns, "conns"), **want_kv), desc)


def stats_zero(ns, desc):
    d = show(ns, "stats")
    ksft_true(get(lambda: len(d) > 8 and all(v == 0 for v in d.values()))
              is True, "%s: all zero" % desc, seen=d)


CHECKS = {"config": config, "listing": listing, "rule": rule, "hits": hits,
          "conns": conns, "stats_zero": stats_zero}


def main(argv):
    return check_main(argv, __doc__, CHECKS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
