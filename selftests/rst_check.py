#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The assertions of selftests/rst.sh over rstprobe.py's results.

One run per sub-test: it reads the JSON rstprobe.py printed, prints the
sub-test's "#" diagnostics, asserts with lib/py's ksft_* and exits 1 when
any assert failed (rst.sh's py_check then fails the sub-test). A result
that is no JSON (rstprobe.py failed) is one failure that shows its stderr.

  rst_check.py recipe MODE POLICY WORKS TRACKED MAX_MS HOSTS FILE0 FILE1
        Sub-tests 1-6 (MODE delayed, adaptive, off): FILE0 the run with
        the router's conntrack entry kept, FILE1 flushed. HOSTS: the
        server addresses, comma-separated. WORKS: 1 when the reconnect
        must work; TRACKED: 1 when the module tracks the connections.
  rst_check.py recipe_full POLICY MAX_MS HOSTS FILE0 FILE1
        Sub-tests 7-8, mode full.
  rst_check.py crafted_blind|crafted_inwindow|crafted_challenge|
               crafted_strict|crafted_strict_after HOSTS FILE
        Sub-tests 9-13, over one "rstprobe.py crafted" run.
  rst_check.py blind FILE NCLIENT NSERVER R0 R1 S0 C0 OOW
        Sub-test 14: RSTs sent (asked for NCLIENT client-side, NSERVER
        server-side), the RSTs counted in at r0, r1, s0 and c0 by nft and
        the router's rst_out_of_window delta OOW.
  rst_check.py overshoot FILE DELAYED_HOSTS FULL_HOSTS
        Sub-test 15 over "rstprobe.py overshoot": the hosts of delayed and
        of full connections, comma-separated.
"""

import functools
import json
import sys

from lib.py import check_main, get, ksft_eq, ksft_ne, ksft_pr, ksft_true, \
    load_result

RST_STATS = ("rst_out_of_window", "challenge_ack_seen",
             "rst_challenge_allowed", "rst_challenge_dropped")


def load(path):
    return load_result(path, "rstprobe.py")


def get_stats(d, keys, name="stats", absent_is_zero=False):
    """The counters keys of d[name], 0 for those not in it; "?" without
    d[name], unless absent_is_zero."""
    if absent_is_zero:
        return [d.get(name, {}).get(k, 0) for k in keys]
    return get(lambda: [d[name].get(k, 0) for k in keys])


def cstat(r, name="stats"):
    """The RST counters' deltas of a crafted step, 0 for those absent."""
    return get_stats(r, RST_STATS, name, absent_is_zero=True)


def fmt(r, fmtstr, keys):
    return get(lambda: fmtstr % tuple(r[k] for k in keys))


def recipe(mode, policy, works, tracked, max_ms, hosts, *files):
    works, tracked, max_ms = works == "1", tracked == "1", int(max_ms)
    hosts = hosts.split(",")
    for flush, path in enumerate(files):
        what = "%s/%s/%s" % (mode, policy, "flushed" if flush else "kept")
        d = load(path)
        if d is None:
            continue
        ksft_eq(2, get(lambda: d["lost_rsts"]),
                "%s: RSTs lost in the client's output" % what)
        for h in hosts:
            r = d.get(h, {})
            ksft_pr("%s %s: c0/s0 trace %s" % (what, h,
                                                get(lambda: r["trace"])))
            ksft_pr("%s %s: %s" % (what, h, fmt(
                r, "%s %d ms, syns %d, challenge ACKs %d, client RSTs %d, "
                "crossed %d, old server socket %s",
                ("connect", "ms", "syns", "challenge_acks", "rsts_out",
                 "rsts_crossed", "old_server"))))
            w = "%s %s" % (what, h)
            ksft_ne(0, get(lambda: r["challenge_acks"]),
                    "%s: challenge ACKs the client got" % w)
            ksft_eq(get(lambda: r["challenge_acks"]),
                    get(lambda: r["rsts_out"]),
                    "%s: the client answers every challenge ACK with an RST"
                    % w)
            if works:
                ksft_eq("ok True", fmt(r, "%s %s", ("connect", "echo_ok")),
                        "%s: reconnect" % w)
                ksft_eq(True, get(lambda: r["ms"] < max_ms and
                                  r["syns"] == 2),
                        "%s: reconnect within one SYN retransmission" % w)
                ksft_eq("1 1 1", fmt(r, "%d %d %d", ("challenge_acks",
                                                     "rsts_out",
                                                     "rsts_crossed")),
                        "%s: one challenge ACK, one RST, and it crossed" % w)
                ksft_eq("ECONNRESET open",
                        fmt(r, "%s %s", ("old_server", "new_server")),
                        "%s: the server's old and new sockets" % w)
            else:
                ksft_eq("timeout", get(lambda: r["connect"]),
                        "%s: reconnect" % w)
                ksft_eq(0, get(lambda: r["rsts_crossed"]),
                        "%s: client RSTs that crossed the router" % w)
                ksft_eq("open", get(lambda: r["old_server"]),
                        "%s: the server's old socket" % w)
        # counters: the module's view over the reconnect, exactly
        if not tracked:
            want = [0, 0, 0]
        elif works:
            want = [2, 2, 0]
        else:
            want = [get(lambda: sum(d[h]["challenge_acks"] for h in hosts)),
                    0,
                    get(lambda: sum(d[h]["rsts_out"] for h in hosts))]
        ksft_eq(want + [0, 0],
                get_stats(d, ("challenge_ack_seen", "rst_challenge_allowed",
                              "rst_challenge_dropped", "rst_out_of_window",
                              "conn_full")),
                "%s: counters challenge_ack_seen rst_challenge_allowed "
                "rst_challenge_dropped rst_out_of_window conn_full" % what)
        if not tracked:
            ksft_eq(0, get(lambda: d["stats"].get("conn_tracked", 0)),
                    "%s: connections given state" % what)
        elif works:
            # the retransmitted SYN got a fresh entry (and, flushed, so did
            # the first)
            ksft_eq(2 + 2 * flush,
                    get(lambda: d["stats"].get("conn_tracked", 0)),
                    "%s: new decisions" % what)


def recipe_full(policy, max_ms, hosts, *files):
    max_ms = int(max_ms)
    hosts = hosts.split(",")
    for flush, path in enumerate(files):
        what = "full/%s/%s" % (policy, "flushed" if flush else "kept")
        d = load(path)
        if d is None:
            continue
        for h in hosts:
            r = d.get(h, {})
            w = "%s %s" % (what, h)
            ksft_pr("%s: c0/s0 trace %s" % (w, get(lambda: r["trace"])))
            ksft_pr("%s: %s" % (w, fmt(
                r, "%s %d ms, syns %d, challenge ACKs %d, client RSTs %d, "
                "RSTs at s0 %d, echo %s, old server socket %s",
                ("connect", "ms", "syns", "challenge_acks", "rsts_out",
                 "rsts_crossed", "echo_ok", "old_server"))))
            if policy == "allow":
                ksft_eq("ok True", fmt(r, "%s %s", ("connect", "echo_ok")),
                        "%s: reconnect and echo" % w)
                ksft_eq(True, get(lambda: r["ms"] < max_ms and
                                  r["syns"] <= 2),
                        "%s: within one SYN retransmission" % w)
                ksft_eq("ECONNRESET open",
                        fmt(r, "%s %s", ("old_server", "new_server")),
                        "%s: the server's old and new sockets" % w)
                if not flush:
                    ksft_eq("1 1 1", fmt(r, "%d %d %d", ("challenge_acks",
                                                         "rsts_out",
                                                         "rsts_crossed")),
                            "%s: the module's challenge ACK, the client's "
                            "RST, crossed" % w)
                else:
                    ksft_eq("1 0 0", fmt(r, "%d %d %d", ("syns",
                                                         "challenge_acks",
                                                         "rsts_out")),
                            "%s: intercepted at once, no challenge reaches "
                            "the client" % w)
                    ksft_eq(1, get(lambda: r["rsts_crossed"]),
                            "%s: the module's RST reached the server" % w)
            else:
                ksft_eq("False", fmt(r, "%s", ("echo_ok",)),
                        "%s: no working reconnect" % w)
                ksft_eq("open", get(lambda: r["old_server"]),
                        "%s: the server's old socket" % w)
                ksft_eq(0, get(lambda: r["rsts_crossed"]),
                        "%s: client RSTs that crossed the router" % w)
        keys = ("challenge_ack_sent", "rst_challenge_allowed",
                "server_challenge_reset", "rst_challenge_dropped")
        if policy == "allow":
            ksft_eq([0, 0, 2, 0] if flush else [2, 2, 0, 0],
                    get_stats(d, keys),
                    "%s: counters %s" % (what, " ".join(keys)))
        else:
            st = get_stats(d, keys)
            ksft_eq("True 0 0", get(lambda: "%s %d %d" % (st[3] > 0, st[1],
                                                          st[2])),
                    "%s: challenges refused (rst_challenge_dropped > 0), "
                    "none allowed" % what)


def crafted(check, hosts, path):
    d = load(path)
    if d is None:
        return
    for h in hosts.split(","):
        steps = d.get(h, {})
        check(h, lambda name: steps.get(name, {}))


def rsts(r, out, into):
    """RSTs one side sent, and those that arrived at the other."""
    return get(lambda: (r.get(out), r.get(into)))


def rst_step(r, w, side, want_rsts, want_stats):
    """RSTs side sent and those that crossed; the counters' deltas."""
    out, into = (("c0_out_rst", "s0_in_rst") if side == "client" else
                 ("s0_out_rst", "c0_in_rst"))
    ksft_eq(want_rsts, rsts(r, out, into),
            "%s: %s RSTs sent / crossed" % (w, side))
    ksft_eq(want_stats, cstat(r), "%s: counters" % w)


def echo_after(r, w):
    ksft_eq((True, "open"), (r.get("echo_after"), r.get("server")),
            "%s: echo after, server socket" % w)


def crafted_blind(h, step):
    for s in ("below", "above"):
        w = "%s %s window" % (h, s)
        rst_step(step(s), w, "client", (1, 0), [1, 0, 0, 0])
        echo_after(step(s), w)
    w = "%s from the server" % h
    rst_step(step("server"), w, "server", (1, 0), [1, 0, 0, 0])
    echo_after(step("server"), w)


def crafted_inwindow(h, step):
    r = step("inwindow")
    w = "%s in window" % h
    rst_step(r, w, "client", (1, 1), [0, 0, 0, 0])
    ksft_eq(True, get(lambda: r.get("c0_in_bare_ack") ==
                      [r["seqs"]["snd_nxt"]]),
            "%s: the server's challenge ACK (ack = client's snd_nxt)" % w)
    echo_after(r, w)
    r = step("exact")
    w = "%s exact" % h
    rst_step(r, w, "client", (1, 1), [0, 0, 0, 0])
    ksft_eq("ECONNRESET", r.get("server"), "%s: server socket" % w)


def challenge_common(h, r):
    ksft_eq(1, r.get("s0_in_syn"), "%s: crafted SYN reached the server" % h)
    ksft_eq(True, get(lambda: r.get("challenge_ack") ==
                      r["seqs"]["snd_nxt"]),
            "%s: challenge ACK at the client, ack = snd_nxt" % h)


def crafted_challenge(h, step):
    r = step("challenge_allow")
    challenge_common(h, r)
    ksft_eq((1, 1), rsts(r, "c0_out_rst", "s0_in_rst"),
            "%s: RSTs at the ack number sent / crossed" % h)
    ksft_eq([0, 1, 1, 0], cstat(r), "%s: counters" % h)
    ksft_eq("ECONNRESET", r.get("server"), "%s: server socket" % h)
    ksft_eq("none", r.get("ct"), "%s: the router's conntrack entry" % h)


def crafted_strict(h, step):
    r = step("challenge_strict")
    challenge_common(h, r)
    ksft_eq(0, r.get("rst_crossed"),
            "%s: RST at the ack number crossed" % h)
    ksft_eq([0, 1, 0, 1], cstat(r, "stats_mid"),
            "%s: counters" % h)
    ksft_eq(True, r.get("echo_after"), "%s: echo after" % h)


def crafted_strict_after(h, step):
    """After the strict drop the connection goes on. The server's data is
    no bare ACK, so no challenge ACK; and the client's own exact RST, when
    it gives the connection up later, is no answer to a challenge."""
    r = step("challenge_strict")
    ksft_pr("%s: conntrack %s, after the echo %s; c0/s0 trace %s"
            % (h, r.get("ct"), r.get("ct_echo"), r.get("trace")))
    ksft_eq([0, 1, 0, 1], cstat(r, "stats_echo"),
            "%s: counters after an echo" % h)
    ksft_eq("ECONNRESET", r.get("abort_server"),
            "%s: the client's abort RST reached the server" % h)
    ksft_eq([0, 1, 0, 1], cstat(r),
            "%s: counters after the abort" % h)


def blind(path, ncli, nsrv, r0, r1, s0, c0, oow):
    ncli, nsrv, r0, r1, s0, c0, oow = (int(v) for v in (ncli, nsrv, r0, r1,
                                                         s0, c0, oow))
    d = load(path)
    if d is None:
        return
    ksft_pr("sent %s client-side + %s server-side RSTs in %s s (%s/s, %s "
            "send errors)" % tuple(d.get(k) for k in (
                "sent_client", "sent_server", "secs", "rate",
                "send_errors")))
    ksft_pr("RSTs in at r0 %d, r1 %d; dropped as out of window %d; in at s0 "
            "%d, c0 %d" % (r0, r1, oow, s0, c0))
    ksft_pr("errors: %s" % json.dumps(d.get("errors")))
    sent = d["sent_client"] + d["sent_server"]
    ksft_eq((ncli, nsrv), (d["sent_client"], d["sent_server"]),
            "all RSTs sent")
    ksft_eq((100, 100, 100, 0),
            get(lambda: tuple(d[k] for k in ("conns", "echo_before",
                                             "echo_after", "server_resets"))),
            "connections open / echoing before / after / server sockets "
            "reset")
    arrived = r0 + r1
    passed = s0 + c0
    ksft_eq(sent, arrived, "every RST reached the router")
    ksft_eq(arrived, oow + passed,
            "RSTs in at the router = dropped out of window + in at the ends")
    ksft_true(oow * 100 >= sent * 99,
              "rst_out_of_window grew by %d, less than 99%% of %d"
              % (oow, sent))
    ksft_true(passed * 100 <= sent,
              "%d RSTs reached the ends, more than 1%% of %d" % (passed, sent))
    ksft_true(s0 * 100 <= d["sent_client"],
              "%d RSTs reached the server, more than 1%% of those sent to it"
              % s0)


def overshoot(path, delayed, full):
    d = load(path)
    if d is None:
        return
    ksft_pr("windows (server's, client's) per connection: %s"
            % json.dumps(d.get("windows")))
    for mode, hosts in (("delayed", delayed), ("full", full)):
        for h in hosts.split(","):
            r = get(lambda: d["hosts"][h])
            w = "%s %s" % (mode, h)
            ksft_pr("%s: %s" % (w, json.dumps(r)))
            ksft_eq((2, 2, 2), get(lambda: (r["conns"], r["echo"],
                                            r["server_open"])),
                    "%s: connections / echoing twice after the RSTs / "
                    "server sockets open" % w)
            ksft_eq((0, 0), get(lambda: (r["rst_in_c0"], r["rst_in_s0"])),
                    "%s: RSTs that reached the client / the server" % w)
    ksft_eq([get(lambda: d["sent"]), 0, 0, 0, 0],
            get_stats(d, ("rst_out_of_window", "invalid_dropped",
                          "challenge_ack_seen", "rst_challenge_allowed",
                          "rst_challenge_dropped")),
            "counters rst_out_of_window (= RSTs sent) invalid_dropped "
            "challenge_ack_seen rst_challenge_allowed rst_challenge_dropped")


def main(argv):
    checks = {"recipe": recipe, "recipe_full": recipe_full, "blind": blind,
              "overshoot": overshoot}
    for name in ("crafted_blind", "crafted_inwindow", "crafted_challenge",
                 "crafted_strict", "crafted_strict_after"):
        checks[name] = functools.partial(crafted, globals()[name])
    return check_main(argv, __doc__, checks)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
