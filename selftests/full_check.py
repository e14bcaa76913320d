#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The assertions of the full-mode selftests (full_proxy.sh, full_scale.sh,
full_cookie.sh) over their probes' results (tcpprobe.py probe, bulk.py):
one run per check, its "#" diagnostics and failures on stdout, exit code 1
when an assert failed. FILE is the probe's JSON (its stderr in FILE.err).

  full_check.py synack FILE DESC WANT
        The first SYN-ACK the probe got, summed up in one line ("n=1
        ack=ok win0=False opts=MSS,... tsecr=echo ws_ok=True mss_ok=True",
        or "none rsts=N" without one), is WANT.
  full_check.py server_timeout FILE DST
        The probe's handshake completed, then one RST came at the
        module's ISN + 1, 0.4 to 3 s later.
  full_check.py bulk FILE DESC LIMIT [HANDSHAKE COPTS SOPTS]
        Both transfers per family arrived intact at both ends, the slowest
        within LIMIT s. With COPTS and SOPTS ("TS SACK WS" as 0/1, what each
        end's sysctls offer): each end's socket runs with the options it
        should, the server with those both offered, the client with those
        it offered itself when HANDSHAKE is "full" (the module answered its
        SYN), else with those both offered.
  full_check.py held FILE DST
        The request sent right after connect() arrived once, intact, and
        connect() returned at once.
  full_check.py refused FILE DESC HOST,PORT...
        Each connection was reset, promptly.
  full_check.py scale FILE N
        N concurrent connections opened and echoed.
  full_check.py flood FILE NFLOOD NLEGIT BOUND
        All NFLOOD SYNs sent, the NLEGIT legitimate connections made, the
        router's conntrack count stayed below BOUND and the nf_conntrack
        slab grew by less than 1000 objects.
  full_check.py cookie_bulk FILE
        Both transfers per family arrived intact at both ends.
"""

import json
import sys

from lib.py import TCPI_OPT_SACK, TCPI_OPT_TIMESTAMPS, TCPI_OPT_WSCALE, \
    check_eq, check_main, check_transfers, conn_outcome, ksft_eq, ksft_pr, \
    ksft_true, load_result


def synack_summary(d):
    if not d["synacks"]:
        return "none rsts=%d" % len(d["rsts"])
    sa = d["synacks"][0]
    return "n=%d ack=%s win0=%s opts=%s tsecr=%s ws_ok=%s mss_ok=%s" % (
        len(d["synacks"]),
        "ok" if sa["ack"] == (d["probe_seq"] + 1) % 2**32 else "bad",
        sa["win"] == 0,
        ",".join(sorted(set(sa["opts"]) - {"NOP", "EOL"})),
        ("echo" if sa.get("tsecr") == d["probe_tsval"] else "bad")
        if "tsval" in sa else "-",
        sa.get("ws", 0) <= 14,
        0 < sa.get("mss", 0) <= 1460)


def synack(path, desc, want):
    d = load_result(path, "tcpprobe.py probe") or {}
    check_eq(want, d, synack_summary, desc)


def server_timeout(path, dst):
    def summary(d):
        s = "synacks=%d acked=%s rsts=%d" % (len(d["synacks"]), d["acked"],
                                             len(d["rsts"]))
        if d["rsts"]:
            rst = d["rsts"][0]
            s += " rst_seq=%s rst_time=%s" % (
                "isn+1" if d["synacks"] and
                rst["seq"] == (d["synacks"][0]["seq"] + 1) % 2**32
                else rst["seq"],
                "ok" if 0.4 <= rst["t"] <= 3.0 else rst["t"])
        return s

    d = load_result(path, "tcpprobe.py probe") or {}
    check_eq("synacks=1 acked=True rsts=1 rst_seq=isn+1 rst_time=ok", d,
             summary, "%s: handshake completed, then" % dst)


OPT_BITS = (TCPI_OPT_TIMESTAMPS, TCPI_OPT_SACK, TCPI_OPT_WSCALE)


def opt_names(word):
    """tcpi_options as the words the sysctls are named by."""
    if word is None:
        return "unknown"
    return ",".join(n for n, b in zip(("ts", "sack", "ws"), OPT_BITS)
                    if word & b) or "none"


def bulk(path, desc, limit, handshake=None, copts=None, sopts=None):
    limit = float(limit)
    d = load_result(path, "bulk.py bulk") or {}
    check_transfers(d, desc)
    ksft_pr("%s: %s s; per transfer: %s" % (desc, d.get("secs"),
                                            json.dumps(d.get("times"))))
    ksft_true(d.get("slowest", 999) < limit,
              "%s: slowest transfer took %s s (limit %d s)"
              % (desc, d.get("slowest"), limit))
    if copts is None:
        return
    c = [int(x) for x in copts.split()]
    s = [int(x) for x in sopts.split()]
    both = sum(b for b, x, y in zip(OPT_BITS, c, s) if x and y)
    own = sum(b for b, x in zip(OPT_BITS, c) if x)
    want = [opt_names(own if handshake == "full" else both), opt_names(both)]
    got = {k: [opt_names(v[0]), opt_names(v[1])]
           for k, v in (d.get("opts") or {}).items()}
    ksft_eq({k: want for k in d.get("times", {})}, got,
            "%s: options each end runs with ([client, server])" % desc)


def held(path, dst):
    def summary(d):
        return "error=%s connect=%s server_len=%s intact=%s reply=%s" % (
            d.get("error", "none"),
            "fast" if d.get("connect_ms", 99999) < 400
            else "slow:%sms" % d.get("connect_ms"),
            d.get("server_len"), d.get("server_match"),
            "ok" if d.get("reply") == d.get("expected")
            else repr(d.get("reply")))

    d = load_result(path, "bulk.py held") or {}
    check_eq("error=none connect=fast server_len=3000 intact=True reply=ok",
             d, summary, "%s: request sent right after connect()" % dst)


def refused(path, desc, *targets):
    # A reset either way (without the module: ECONNREFUSED resp.
    # EHOSTUNREACH from connect()).
    def summary(d):
        return " ".join("%s:%s,%s" % (
            k, conn_outcome(v), "prompt" if v["ms"] < 3000 else "slow")
            for k, v in sorted(d.items()))

    d = load_result(path, "bulk.py refused") or {}
    check_eq(" ".join("%s:reset,prompt" % t for t in targets), d, summary,
             desc)


def scale(path, n):
    d = load_result(path, "bulk.py scale") or {}
    check_eq("opened=%s echoed=%s failed=0" % (n, n), d,
             lambda d: "opened=%s echoed=%s failed=%s" % (
                 d.get("opened"), d.get("echoed"), d.get("failed")),
             "%s concurrent connections" % n)
    ksft_pr("%s connections: %s s" % (n, d.get("secs")))


def flood(path, nflood, nlegit, bound):
    nflood, bound = int(nflood), int(bound)
    d = load_result(path, "bulk.py flood") or {}
    check_eq("sent=True legit_ok=%s legit_fail=0" % nlegit, d,
             lambda d: "sent=%s legit_ok=%s legit_fail=%s" % (
                 d.get("sent", 0) >= nflood, d.get("legit_ok"),
                 d.get("legit_fail")),
             "flood of %d SYNs with %s legitimate connections"
             % (nflood, nlegit))
    ctmax, sb, sm = (d.get(k, -1) for k in ("ct_max", "slab_before",
                                             "slab_max"))
    ksft_pr("flood: router conntrack max %s, nf_conntrack slab %s -> max "
            "%s, %s SYNs" % (ctmax, sb, sm, d.get("sent")))
    ksft_true(0 <= ctmax < bound,
              "router conntrack count during the flood: %s, expected < %d"
              % (ctmax, bound))
    ksft_true(sb < 0 or sm - sb < 1000,
              "nf_conntrack slab grew by %s objects (>= 1000)"
              % (sm - sb if sb >= 0 else "?"))


def cookie_bulk(path):
    check_transfers(load_result(path, "bulk.py bulk") or {},
                    "bulk through cookies")


CHECKS = {"synack": synack, "server_timeout": server_timeout, "bulk": bulk,
          "held": held, "refused": refused, "scale": scale, "flood": flood,
          "cookie_bulk": cookie_bulk}


def main(argv):
    return check_main(argv, __doc__, CHECKS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
