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
  ctl_check.py rule_check NS DESC WANT [FILE]
        catoproxyctl rule check [FILE] and its -j: exit code 1 and one
        three-line text entry per finding when WANT is not empty, 0 and
        no output when it is; nothing on stderr. The findings of the JSON,
        each "KIND:RULE:BY" (ids; lines for a FILE), space-separated, are
        WANT. The text names each rule as the JSON does and gives the
        reason the JSON gives.
  ctl_check.py conns NS DESC WANT KEY=VALUE[,VALUE...]...
        WANT entries of show conns have, for every KEY, one of the VALUEs.
  ctl_check.py stats_zero NS DESC
        show stats has more than eight counters, every one of them 0.
  ctl_check.py prometheus NS DESC
        show stats prometheus passes lib/py/prom.py's strict reader: one
        family per counter of -j show stats, in its order, named
        catoproxy_NAME_total, a counter, then the gauge
        catoproxy_adaptive_entries; each with a HELP text and one sample
        without labels. The JSON counters, read between two exposition
        texts, lie between their values there.
  ctl_check.py cli DESC
        help: `catoproxyctl help', -h, --help, `help SUB', `SUB help' and
        `SUB --help' print the usage on stdout, nothing on stderr, exit 0;
        usage errors print the reason then the usage on stderr, nothing on
        stdout, exit 1. Needs no module.
  ctl_check.py no_module DESC
        With no catoproxy family: every command that would send a request
        exits 3 with one line on stderr; usage errors still exit 1 and
        help 0.
"""

import json
import subprocess
import sys

from lib.py import check_main, ctl, get, ksft_eq, ksft_le, ksft_pr, ksft_true
from lib.py.ctl import CTL
from lib.py.events import ev_filter
from lib.py.prom import PromError, parse


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


def rule_check(ns, desc, want, *path):
    pre = [CTL] + (["-n", ns] if ns else [])
    text = subprocess.run(pre + ["rule", "check"] + list(path),
                          capture_output=True, text=True)
    js = subprocess.run(pre + ["-j", "rule", "check"] + list(path),
                        capture_output=True, text=True)
    rc = 1 if want else 0
    ksft_eq((rc, ""), (text.returncode, text.stderr), "%s: exit code, stderr" % desc)
    ksft_eq((rc, ""), (js.returncode, js.stderr), "%s: -j: exit code, stderr" % desc)
    found = get(lambda: json.loads(js.stdout))
    me, by = ("line", "by_line") if path else ("rule", "by")
    ksft_eq(want, get(lambda: " ".join(
        "%s:%d:%d" % (f["kind"], f[me], f[by]) for f in found)),
        "%s: findings" % desc)
    lines = text.stdout.splitlines()
    entries = [lines[i:i + 3] for i in range(0, len(lines), 3)]
    for f, e in zip(found or [], entries):
        name = ("line %d" % f["line"] if path else
                "rule %d (pos %d)" % (f["rule"], f["pos"]))
        byname = ("line %d" % f["by_line"] if path else
                  "rule %d (pos %d)" % (f["by"], f["by_pos"]))
        verb = "shadowed by" if f["kind"] == "shadowed" else "below payload rule"
        second = "    %s %s: %s" % (verb, byname, f["by_words"])
        if f["kind"] == "payload-bypass":
            second = "    payload rule that says bypass"
        ksft_eq(["%s: %s" % (name, f["words"]), second,
                 "    " + f["reason"]], e, "%s: text of %s" % (desc, name))
    ksft_eq(len(found or []), len(entries), "%s: text entries" % desc)


def conns(ns, desc, want, *filters):
    want_kv = {}
    for f in filters:
        k, v = f.split("=", 1)
        want_kv[k] = v.split(",")
    found = ev_filter(show(ns, "conns"), **want_kv)
    if not ksft_eq(int(want), len(found), desc):
        for e in found:
            ksft_pr("%s: matched %s" % (desc, json.dumps(e)))


def stats_zero(ns, desc):
    d = show(ns, "stats")
    ksft_true(get(lambda: len(d) > 8 and all(v == 0 for v in d.values()))
              is True, "%s: all zero" % desc, seen=d)


def exposition(ns, desc):
    """show stats prometheus, parsed; None when it fails."""
    cmd = [CTL] + (["-n", ns] if ns else []) + ["show", "stats", "prometheus"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    ksft_eq("0 ''", "%d %r" % (r.returncode, r.stderr),
            "%s: exit code and stderr" % desc)
    try:
        return parse(r.stdout)
    except PromError as e:
        ksft_true(False, "%s: valid exposition format: %s" % (desc, e),
                  seen=r.stdout[:2000])
        return None


def prometheus(ns, desc):
    before = exposition(ns, desc)
    d = show(ns, "stats")
    after = exposition(ns, desc)
    if before is None or after is None:
        return
    want = ["catoproxy_%s_total" % k for k in d if k != "adaptive_entries"]
    want.append("catoproxy_adaptive_entries")
    ksft_eq(want, list(after), "%s: the families, in order" % desc)
    ksft_eq([], [n for n, f in after.items()
                 if f["type"] != ("gauge" if n == "catoproxy_adaptive_entries"
                                  else "counter") or not f["help"] or
                 list(f["samples"]) != [(n, ())]],
            "%s: families without their type, help or one plain sample" %
            desc)
    for k, v in d.items():
        n = ("catoproxy_%s" if k == "adaptive_entries" else
             "catoproxy_%s_total") % k
        if n not in before or n not in after:
            continue
        lo = before[n]["samples"][(n, ())]
        hi = after[n]["samples"][(n, ())]
        if k == "adaptive_entries":
            ksft_true(lo == int(lo) and hi == int(hi), "%s: %s an integer" %
                      (desc, n), seen=(lo, hi))
            continue
        ksft_le(lo, v, "%s: %s before the JSON" % (desc, n))
        ksft_le(v, hi, "%s: %s after the JSON" % (desc, n))


def run(*args):
    r = subprocess.run([CTL] + list(args), capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


USAGE = "Usage: " + "catoproxyctl"
SHOW = ("Usage: catoproxyctl [-j] [-n NAME] show "
        "[config|stats [prometheus]|sites|rules|block-page]\n"
        "       catoproxyctl [-j] [-n NAME] show conns [src ADDR[/PLEN]] "
        "[dst ADDR[/PLEN]]\n"
        "           [sport P[-Q]] [dport P[-Q]] [state STATE] [mode MODE] "
        "[count]\n")
CONNS = ("Usage: catoproxyctl [-j] [-n NAME] show conns [src ADDR[/PLEN]] "
         "[dst ADDR[/PLEN]]\n"
         "           [sport P[-Q]] [dport P[-Q]] [state STATE] [mode MODE] "
         "[count]\n")
STATS = "Usage: catoproxyctl [-j] [-n NAME] show stats [prometheus]\n"
SITE = ("Usage: catoproxyctl site add NAME prefix CIDR [prefix CIDR ...] "
        "[mode {full|delayed|adaptive|off|inherit}]\n"
        "       catoproxyctl site del NAME\n")
RULE = ("Usage: catoproxyctl rule add [pos N] [src CIDR] [dst CIDR] "
        "[sport P[-Q]] [dport P[-Q]] [sni NAME] [host NAME] [path MARK] "
        "action {allow|block|bypass}\n"
        "       catoproxyctl rule del ID\n"
        "       catoproxyctl rule flush\n"
        "       catoproxyctl rule load {FILE|-}\n"
        "       catoproxyctl rule check [FILE|-]\n")
MONITOR = "Usage: catoproxyctl [-j] [-n NAME] monitor [-t|--timestamp]\n"
DUMP = "Usage: catoproxyctl [-n NAME] dump\n"
LOAD = "Usage: catoproxyctl [-n NAME] load {FILE|-}\n"
SHORT = ("Usage: catoproxyctl [-j|--json] [-n|--netns NAME] "
         "{show|set|site|rule|monitor|dump|load|help} [ARGS]\n"
         "Try `catoproxyctl --help' for more information.\n")


def cli(desc):
    top = run("help")
    ksft_eq(0, top[0], "%s: help: exit code" % desc)
    ksft_eq("", top[2], "%s: help: stderr" % desc)
    lines = top[1].splitlines()
    ksft_eq("Usage: catoproxyctl [OPTIONS] <cmd> [<args>]", get(lambda: lines[0]),
            "%s: help: first line" % desc)
    for want in ("  -t, --timestamp     monitor: prefix each event with the time",
                 "  show [config|stats [prometheus]|sites|rules|block-page]",
                 "  show conns [src ADDR[/PLEN]] [dst ADDR[/PLEN]] "
                 "[sport P[-Q]] [dport P[-Q]]",
                 "  monitor [-t|--timestamp]", "  help [SUBCOMMAND]",
                 "  dump", "  load {FILE|-}",
                 "  set server-timeout MS"):
        ksft_true(want in lines, "%s: help has %r" % (desc, want))
    for args in (["-h"], ["--help"], ["help", "help"]):
        ksft_eq(top, run(*args), "%s: %s is help" % (desc, " ".join(args)))

    # each subcommand's usage, asked for three ways
    subs = {"show": SHOW, "site": SITE, "rule": RULE, "monitor": MONITOR,
            "dump": DUMP, "load": LOAD, "set": None}
    for sub, want in subs.items():
        r = run(sub, "help")
        ksft_eq((0, ""), (r[0], r[2]), "%s: %s help: exit code, stderr" %
                (desc, sub))
        if want is not None:
            ksft_eq(want, r[1], "%s: %s help" % (desc, sub))
        else:
            ksft_true(r[1].startswith("Usage: catoproxyctl set KEY VALUE "
                                      "[KEY VALUE ...]\n  mode ") and
                      "  server-timeout MS (100 to 600000)\n" in r[1],
                      "%s: set help" % desc, seen=r[1])
        ksft_eq(r, run("help", sub), "%s: help %s" % (desc, sub))
        ksft_eq(r, run(sub, "--help"), "%s: %s --help" % (desc, sub))
    ksft_eq((0, CONNS, ""), run("show", "conns", "help"),
            "%s: show conns help" % desc)
    ksft_eq((0, STATS, ""), run("show", "stats", "-h"),
            "%s: show stats -h" % desc)
    ksft_eq((0, MONITOR, ""), run("monitor", "-h"), "%s: monitor -h" % desc)

    # usage errors: the reason, then the usage, on stderr only
    bad = [
        (["bogus"], "Invalid subcommand: `bogus'\n" + SHORT),
        (["help", "bogus"], "Invalid subcommand: `bogus'\n" + SHORT),
        (["help", "show", "x"], "Unexpected argument `x'\n" + SHORT),
        (["-x"], "Invalid option `-x'\n" + SHORT),
        (["show", "bogus"],
         "Invalid show target `bogus': expected config, stats, sites, "
         "conns, rules or block-page\n" + SHOW),
        (["show", "config", "x"], "Unexpected argument `x'\n" + SHOW),
        (["show", "stats", "json"],
         "Invalid format `json': expected prometheus\n" + STATS),
        (["-j", "show", "stats", "prometheus"],
         "-j and prometheus are two formats: give one\n" + STATS),
        (["show", "conns", "state", "up"],
         "Invalid state `up': expected pass, opening, spliced, failed, "
         "waiting, engaged, blocked or inspecting\n" + CONNS),
        (["show", "conns", "src", "10.0.1.2/24"],
         "Invalid prefix `10.0.1.2/24': host bits set, did you mean "
         "10.0.1.0/24?\n" + CONNS),
        (["show", "conns", "dport"], "Missing value for `dport'\n" + CONNS),
        (["show", "conns", "port", "80"],
         "Invalid argument `port': expected src, dst, sport, dport, state, "
         "mode or count\n" + CONNS),
        (["site"], "Missing site command: expected add or del\n" + SITE),
        (["rule", "bogus"],
         "Invalid rule command `bogus': expected add, del, flush, load or check\n" +
         RULE),
        (["monitor", "-x"], "Unexpected argument `-x'\n" + MONITOR),
    ]
    for args, err in bad:
        ksft_eq((1, "", err), run(*args), "%s: %s" % (desc, " ".join(args)))
    r = run("set", "bogus", "1")
    ksft_eq((1, ""), r[:2], "%s: set bogus 1: exit code, stdout" % desc)
    ksft_true(r[2].startswith("Invalid key `bogus': expected mode, ") and
              "\nUsage: catoproxyctl set KEY VALUE" in r[2],
              "%s: set bogus 1: stderr" % desc, seen=r[2])


NO_MODULE = ('catoproxyctl: catoproxy module not loaded (generic netlink '
             'family "catoproxy" not found)\n')


def no_module(desc):
    for args in (["show"], ["-j", "show", "stats"],
                 ["show", "stats", "prometheus"], ["show", "conns", "count"],
                 ["set", "mode", "full"], ["site", "del", "x"],
                 ["rule", "flush"], ["monitor", "-t"]):
        ksft_eq((3, "", NO_MODULE), run(*args),
                "%s: %s" % (desc, " ".join(args)))
    ksft_eq(1, run("show", "bogus")[0], "%s: a usage error is still 1" % desc)
    ksft_eq((0, MONITOR, ""), run("monitor", "help"),
            "%s: help needs no module" % desc)


CHECKS = {"config": config, "listing": listing, "rule": rule, "hits": hits,
          "rule_check": rule_check,
          "conns": conns, "stats_zero": stats_zero, "prometheus": prometheus,
          "cli": cli, "no_module": no_module}


def main(argv):
    return check_main(argv, __doc__, CHECKS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
