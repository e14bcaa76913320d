#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The assertions of selftests/rules.sh's churn (sub-test 5): one run, its
"#" diagnostics and failures on stdout, exit code 1 when an assert failed.

  rules_check.py churn VERSIONS CONNS EVENTS PORT FROM NVER
        VERSIONS: the lists "genl.py rewrite" set (one JSON object per
        line: "list" A or B, the rule "ids" in order); CONNS: connrate's
        log ("SPORT OUTCOME" per connection); EVENTS: the router's events,
        read after line FROM. There are NVER versions; every connection to
        PORT has its event, decided by the first rule of a whole list (old
        or new), never by a rule of a half list nor by no rule, with that
        rule's outcome (allow: ok and a decision event; block: reset and a
        blocked event); at least 100 of each; at least 50 versions decided
        a connection.
"""

import collections
import json
import sys

from lib.py import check_main, ksft_eq, ksft_pr, ksft_true
from lib.py.events import ev_filter, read_events


def churn(vfile, cfile, efile, port, start, nver):
    first, half = {}, set()
    with open(vfile) as f:
        versions = [json.loads(line) for line in f]
    for v in versions:
        first[v["ids"][0]] = "allow" if v["list"] == "A" else "block"
        half.update(v["ids"][1:])
    with open(cfile) as f:
        conns = [line.split() for line in f]
    # A port comes back after a while: the n-th connection from a port
    # goes with the n-th decision of that port, as the two cannot overlap.
    ev = collections.defaultdict(list)
    for d in ev_filter(read_events(efile, int(start)), dport=port,
                       event=("decision", "blocked")):
        ev[d["sport"]].append(d)
    nth = collections.Counter()
    bad = collections.Counter()
    seen = collections.Counter()
    decided = set()
    for sport, outcome in conns:
        sport = int(sport)
        es = ev.get(sport, [])
        if nth[sport] >= len(es):
            bad["no event"] += 1
            continue
        e = es[nth[sport]]
        nth[sport] += 1
        rid = e["rule_id"]
        decided.add(rid)
        if rid == 0:
            bad["no rule matched"] += 1
        elif rid in half:
            bad["a rule of a half list"] += 1
        elif rid not in first:
            bad["an unknown rule"] += 1
        else:
            act = first[rid]
            kind = e["event"]
            if act == "allow" and (outcome != "ok" or kind != "decision"):
                bad["allowed, but %s/%s" % (outcome, kind)] += 1
            elif act == "block" and (outcome != "reset" or
                                     kind != "blocked"):
                bad["blocked, but %s/%s" % (outcome, kind)] += 1
            else:
                seen[act] += 1
    extra = sum(len(es) - nth[p] for p, es in ev.items())
    if extra:
        bad["decisions of no connection"] = extra
    nseen = len(decided & set(first))
    ksft_pr("churn: versions %d, conns %d, allowed %d, blocked %d, "
            "versions seen %d, problems %s" % (
                len(versions), len(conns), seen["allow"], seen["block"],
                nseen, json.dumps(dict(bad))))
    ksft_eq(int(nver), len(versions), "churn: the first list and the rewrites")
    ksft_eq({}, dict(bad), "churn: every connection decided by a whole list")
    ksft_true(seen["allow"] >= 100 and seen["block"] >= 100,
              "churn: too few connections of each kind: %d allowed, %d "
              "blocked" % (seen["allow"], seen["block"]))
    ksft_true(nseen >= 50, "churn: only %d of the %d versions decided a "
              "connection" % (nseen, len(versions)))
    ksft_eq(len(conns), seen["allow"] + seen["block"],
            "churn: every connection accounted for")


CHECKS = {"churn": churn}


def main(argv):
    return check_main(argv, __doc__, CHECKS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
