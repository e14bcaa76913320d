#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The assertions of selftests/full_handshake.sh over a "tcpprobe.py trace"
result: one run per sub-test, its "#" diagnostics and failures on stdout,
exit code 1 when an assert failed.

  handshake_check.py STEP FILE HOST...
        STEP: the sub-test (baseline, synack_lost, ack_lost, server_syn_lost,
        server_synack_lost, halfclose_client, halfclose_server, rst_client,
        rst_server, keepalive). FILE: the trace's JSON (its stderr in
        FILE.err). For every HOST: the handshake line matches the step's
        pattern, and the step's facts about the connection hold.
"""

import functools
import re
import sys

from lib.py import check_main, get, ksft_eq, ksft_pr, ksft_true, \
    load_result

HS = "syn=1/1 synack=1/1 isn=own synack_isn=same srv_syn=client"


def errors(r):
    return "%s %s" % (r.get("cli_error", "-"), r.get("srv_error", "-"))


def echo(desc):
    return (desc, lambda r: "%s %s" % (errors(r), r.get("echo_ok")),
            "- - True")


# step: (description, handshake pattern, [(fact, fn(r) -> str, want)...])
STEPS = {
    "baseline": ("no loss", HS, [echo("no loss: echo")]),
    # The module joins the halves only once the client has acknowledged
    # its SYN-ACK, so until the client's retransmitted SYN is answered the
    # server repeats its SYN-ACK on its own timer and answers the forwarded
    # retransmission too: 2 or 3 server SYN-ACKs, depending on timing.
    "synack_lost": (
        "SYN-ACK lost",
        "syn=2/[12] synack=2/[23] isn=own synack_isn=same srv_syn=client",
        [echo("SYN-ACK lost: echo")]),
    "ack_lost": ("third ACK lost", HS, [
        ("third ACK lost: the client's lost ACK was a pure ACK",
         lambda r: len(r.get("client_acks_out", [])) > 0 and
         r["client_acks_out"][0]["len"] == 0, "True"),
        echo("third ACK lost: echo")]),
    "server_syn_lost": (
        "server SYN lost",
        "syn=1/2 synack=1/1 isn=own synack_isn=same srv_syn=client",
        [echo("server SYN lost: echo")]),
    "server_synack_lost": (
        "server SYN-ACK lost",
        "syn=1/[12] synack=1/[2-9] isn=own synack_isn=same srv_syn=client",
        [echo("server SYN-ACK lost: echo")]),
    "halfclose_client": ("half-close by the client", HS, [
        ("half-close by the client",
         lambda r: "%s %s %s" % (errors(r), r.get("cli_got_ok"),
                                 r.get("cli_verdict_ok")),
         "- - True True")]),
    "halfclose_server": ("half-close by the server", HS, [
        ("half-close by the server",
         lambda r: "%s %s %s %s" % (errors(r), r.get("cli_got_ok"),
                                    r.get("srv_got") == r.get("cli_sent"),
                                    r.get("eof")),
         "- - True True True")]),
    "rst_client": ("RST from the client", HS, [
        ("RST from the client: the server's next recv()",
         lambda r: "%s %s" % (r.get("cli_error", "-"),
                              r.get("srv_after_rst")), "- ECONNRESET"),
        ("RST from the client: RSTs the server received",
         lambda r: len(r.get("server_rsts_in", [])) >= 1, "True")]),
    "rst_server": ("RST from the server", HS, [
        ("RST from the server: the client's next recv()",
         lambda r: "%s %s" % (r.get("srv_error", "-"),
                              r.get("cli_after_rst")), "- ECONNRESET"),
        ("RST from the server: RSTs the client received",
         lambda r: len(r.get("client_rsts_in", [])) >= 1, "True")]),
    # each end probes about once a second and the other answers: at least
    # 2 probes + 2 answers each way on both links
    "keepalive": ("keepalive", HS, [
        ("keepalive: after 6 s idle",
         lambda r: "%s %s" % (errors(r), r.get("after_idle_ok")), "- - True"),
        ("keepalive: probes/answers seen (client out, client in, server "
         "out, server in) >= 4",
         lambda r: all(r.get(k, 0) >= 4 for k in (
             "ka_client_out", "ka_client_in", "ka_server_out",
             "ka_server_in")), "True")]),
}


def check(step, path, *hosts):
    desc, hs_re, facts = STEPS[step]
    d = load_result(path, "tcpprobe.py trace") or {}
    for h in hosts:
        r = d.get(h, {})
        hs = str(get(lambda: r.get("hs", "no trace")))
        if not ksft_true(re.fullmatch(hs_re, hs),
                         "%s: %s handshake: '%s' does not match /^%s$/"
                         % (desc, h, hs, hs_re)):
            ksft_pr("%s client SYN-ACKs: %s" % (h, r.get("client_synacks")))
            ksft_pr("%s server SYN-ACKs: %s" % (h, r.get("server_synacks")))
            ksft_pr("%s server SYNs: %s" % (h, r.get("server_syns")))
    for fact, fn, want in facts:
        for h in hosts:
            r = d.get(h, {})
            if not ksft_eq(want, str(get(lambda: fn(r))),
                           "%s: %s" % (fact, h)):
                ksft_pr("%s: %s" % (h, {k: v for k, v in r.items()
                                        if not isinstance(v, list)}))


def main(argv):
    return check_main(argv, __doc__, {
        step: functools.partial(check, step) for step in STEPS})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
