#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The assertions of the mode tests (modes.sh, adaptive.sh, policy.sh) over
the router's events (EVENTS: the file lib.sh's monitor_start fills, read
after line FROM) and their probes' results: one run per check, its "#"
diagnostics and failures on stdout, exit code 1 when an assert failed.

  modes_check.py decisions EVENTS FROM PORT DESC WANT
        The decision events to PORT are one per family, each "MODE ACCEL
        REASON SITE_ID SITE_NAME STATE" as WANT says (SITE_NAME None
        without a site).
  modes_check.py accels EVENTS FROM DESC WANT
        The accel values (0, 1) that exactly one decision event has, in
        order, are WANT ("0 1": one decision not intercepted, one
        intercepted).
  modes_check.py engaged_live EVENTS FROM MODE HOST,PORT...
        Every engaged event is one of a connection to a HOST,PORT (the
        live ports).
  modes_check.py refused FILE DESC WANT HOST,PORT...
        "bulk.py refused" (FILE): each target's attempt ended as WANT
        (lib/py's conn_outcome: reset, refused).
  modes_check.py span_conns NS DESC WANT PORT PORTS MODE ACCEL STATE
        Of the connections "show conns" in NS lists to PORT from the client
        ports PORTS (space-separated), how many have MODE, ACCEL and STATE,
        "N of M", is WANT.
  modes_check.py span FILE DESC
        "bulk.py span" (FILE): the four transfers arrived intact at both
        ends.
"""

import collections
import sys

from lib.py import check_eq, check_main, check_transfers, conn_outcome, \
    ctl, get, ksft_eq, ksft_pr, ksft_true, load_result
from lib.py.events import ev_count, ev_filter, ev_match, events_summary, \
    read_events


def decisions(path, start, port, desc, want):
    evs = ev_filter(read_events(path, int(start)), event="decision",
                    dport=port)
    got = events_summary(evs, ("family", "mode", "accel", "reason",
                               "site_id", "site_name", "state"))
    ksft_eq("ipv4 %s x1; ipv6 %s x1" % (want, want), "; ".join(got),
            "%s: port %s decisions" % (desc, port))


def accels(path, start, desc, want):
    evs = ev_filter(read_events(path, int(start)), event="decision")
    c = collections.Counter(str(e.get("accel")) for e in evs)
    ksft_eq(want, " ".join(a for a in ("0", "1") if c[a] == 1), desc)


def engaged_live(path, start, mode, *live):
    live = {tuple(t.rsplit(",", 1)) for t in live}
    evs = ev_filter(read_events(path, int(start)), event="engaged")
    for d in sorted({(str(e.get("daddr")), str(e.get("dport")))
                     for e in evs}):
        ksft_true(d in live, "mode %s: engaged event for %s, which is no "
                  "live port" % (mode, " ".join(d)))


def refused(path, desc, want, *targets):
    d = load_result(path, "bulk.py refused") or {}
    check_eq(" ".join("%s:%s" % (t, want) for t in sorted(targets)), d,
             lambda d: " ".join("%s:%s" % (k, conn_outcome(v))
                                for k, v in sorted(d.items())), desc)


def span_conns(ns, desc, want, port, ports, mode, accel, state):
    d = ctl("show", "conns", ns=ns)
    held = [c for c in d if ev_match(c, dport=port, sport=ports.split())]
    got = "%d of %d" % (ev_count(held, mode=mode, accel=accel, state=state),
                        len(held))
    if not ksft_eq(want, got, desc):
        ksft_pr("show conns: %s" % get(lambda: " ".join(
            "%s,%s:%s/%s/%s" % (c["family"], c["sport"], c["mode"],
                                c["accel"], c["state"]) for c in held)))


def span(path, desc):
    check_transfers(load_result(path, "bulk.py span") or {}, desc)


CHECKS = {"decisions": decisions, "accels": accels,
          "engaged_live": engaged_live, "refused": refused,
          "span_conns": span_conns, "span": span}


def main(argv):
    return check_main(argv, __doc__, CHECKS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
