#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Path MTU Discovery through the router, and ICMP errors about an opening
connection (pmtu.sh). One run per check; its "#" diagnostics and failures
on stdout, exit code 1 when an assert failed.

  pmtu_check.py bulk CLIENT ROUTER SERVER MODE PORT SIZE C4 C6 S4 S6
        Mode MODE on the router; then per family one upload and one
        download of SIZE bytes (as bulk.py bulk), sha256 checked by both
        ends, each after both ends forgot the path MTUs they learned. Each
        crosses a hop with a 1280-byte MTU beyond the router, so the
        sender must learn it from the hop's Frag Needed / Packet Too Big:
        its route to the receiver says "mtu 1280" afterwards. Router counters: nothing counted as a reset
        or dropped (rst_out_of_window, invalid_dropped,
        rst_challenge_dropped, server_open_failed 0); full: 4 connections
        intercepted and joined.
  pmtu_check.py opening CLIENT ROUTER HOP SERVER PORT C4 C6 S4 S6
        Full mode; the server drops SYNs to PORT. Per family a raw SYN from
        the client (ISN known; the client's output drops its RSTs from the
        probe ports) opens a connection whose server half stays opening.
        From HOP, beyond the router, to the client, errors quoting the
        server SYN: Frag Needed (Packet Too Big), a redirect (IPv4), a
        hard error (port unreachable) quoting another sequence number.
        All reach the client and the server half goes on opening
        (server_open_failed 0). Then port unreachable quoting the SYN: the
        server half fails (server_open_failed +1) and the error goes no
        further (the module resets the client instead). The client counts
        the errors it receives in the counter of its inet table icmpin.
"""

import socket
import struct
import subprocess
import sys
import time

from lib.py import (check_main, check_transfers, ctl, ctl_stats, ksft_eq,
                    ksft_pr, ksft_true, netns)
from lib.py.packet import build, csum, raw_sender
import bulk

MTU = 1280
# bulk.py cuts a transfer off at 45 s; plain forwarding moves 1 MB in a
# few seconds, the PMTU round trips included.
LIMIT = 20
RESET_STATS = ("rst_out_of_window", "invalid_dropped",
               "rst_challenge_dropped", "server_open_failed")


def ip(ns, *args):
    r = subprocess.run(("ip", "-n", ns) + args, capture_output=True,
                       text=True)
    return r.stdout + r.stderr


def delta(s0, s1, *names):
    return {n: s1.get(n, 0) - s0.get(n, 0) for n in names}


def route_mtu(ns, dst):
    """The path MTU ns's route to dst has learned, or the route."""
    out = ip(ns, "route", "get", dst)
    words = out.split()
    if "mtu" in words:
        return int(words[words.index("mtu") + 1])
    return out.strip()


def forget(client, server, c, s):
    """Both ends forget the path MTU they learned, and check they did."""
    for ns in (client, server):
        ip(ns, "-6" if ":" in c else "-4", "route", "flush", "cache")
    for ns, dst in ((client, s), (server, c)):
        ksft_true(not isinstance(route_mtu(ns, dst), int),
                  "%s's route to %s: no learned MTU at first"
                  % (ns.split("-")[0], dst), route_mtu(ns, dst))


def cmd_bulk(client, router, server, mode, port, size, c4, c6, s4, s6):
    """bulk.py bulk, with the learned path MTUs forgotten before each
    transfer: one learned sending lowers the MSS that the next
    connection's SYN or SYN-ACK announces, and the other direction would
    have nothing to discover."""
    desc = "mode %s" % mode
    port, size = int(port), int(size)
    ctl("set", "mode", mode, ns=router)
    res = bulk.Results()
    ls = bulk.listener(server, port)
    bulk.serve_forever(ls, lambda c: bulk.bulk_server_conn(c, res))
    s0 = ctl_stats(ns=router)
    ok = 0
    times = {}
    for c, s in ((c4, s4), (c6, s6)):
        for kind, sender, dst in ((b"U", client, s), (b"D", server, c)):
            forget(client, server, c, s)
            t = time.monotonic()
            ok += bulk.bulk_client(client, s, port, kind, size, res)
            times["%s %s" % (s, kind.decode())] = \
                round(time.monotonic() - t, 2)
            ksft_eq(MTU, route_mtu(sender, dst),
                    "%s: %s learned the path MTU (route to %s)"
                    % (desc, sender.split("-")[0], dst))
    s1 = ctl_stats(ns=router)
    # the server thread counts after the client has its answer
    end = time.monotonic() + 10
    while res.server_ok < ok and time.monotonic() < end:
        time.sleep(0.01)
    ls.close()
    check_transfers({"conns": 4, "client_ok": ok, "server_ok": res.server_ok,
                     "errors": res.errors}, desc)
    ksft_pr("%s: per transfer: %s" % (desc, times))
    ksft_true(max(times.values()) < LIMIT, "%s: slowest transfer took %s"
              " s (limit %d s)" % (desc, max(times.values()), LIMIT))
    want = {n: 0 for n in RESET_STATS}
    if mode == "full":
        want.update(syn_intercepted=4, server_open_ok=4)
    ksft_eq(want, delta(s0, s1, *want), "%s: router counters" % desc)


def icmp4(typ, code, info, quoted):
    msg = struct.pack("!BBHI", typ, code, 0, info) + quoted
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def counter(ns, table):
    """Packets of the first counter of inet table in ns (-1: none)."""
    out = subprocess.run(("ip", "netns", "exec", ns, "nft", "list", "table",
                          "inet", table), capture_output=True,
                         text=True).stdout
    words = out.split()
    return int(words[words.index("packets") + 1]) if "packets" in words \
        else -1


def wait_for(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        time.sleep(0.05)
    return cond()


def cmd_opening(client, router, hop, server, port, c4, c6, s4, s6):
    port = int(port)
    ctl("set", "mode", "full", ns=router)
    sport = 40100
    for me, dst in ((c4, s4), (c6, s6)):
        v6 = ":" in dst
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        sport += 1
        isn = 0x10000000 + sport
        syn = build(me, dst, sport, port, isn, 0, "S", 64240,
                    b"\x02\x04\x05\xb4")
        s0 = ctl_stats(ns=router)
        raw = raw_sender(client, dst)
        raw.sendto(syn, (dst, 0))
        raw.close()
        ksft_true(wait_for(lambda: delta(s0, ctl_stats(ns=router),
                                         "syn_intercepted")[
                                             "syn_intercepted"] == 1),
                  "%s: the raw SYN was intercepted" % dst)

        # The quote: the SYN as it left the router (unchanged).
        def quote(seq):
            return build(me, dst, sport, port, seq, 0, "S", 64240)

        with netns(hop):
            ic = socket.socket(fam, socket.SOCK_RAW,
                               socket.IPPROTO_ICMPV6 if v6 else
                               socket.IPPROTO_ICMP)
        # Port unreachable (ICMPv6: the kernel fills in the checksum).
        def hard(seq):
            if v6:
                return struct.pack("!BBHI", 1, 4, 0, 0) + quote(seq)
            return icmp4(3, 3, 0, quote(seq))

        if v6:
            soft = [("Packet Too Big", struct.pack("!BBHI", 2, 0, 0, MTU)
                     + quote(isn))]
        else:
            gw = struct.unpack("!I", socket.inet_aton(s4))[0]
            soft = [("Frag Needed", icmp4(3, 4, MTU, quote(isn))),
                    ("redirect", icmp4(5, 1, gw, quote(isn)))]
        soft.append(("port unreachable quoting another sequence number",
                     hard(isn + 100000)))
        n0 = counter(client, "icmpin")
        for what, msg in soft:
            ic.sendto(msg, (me, 0))
        got = wait_for(lambda: counter(client, "icmpin") - n0 == len(soft))
        ksft_true(got, "%s: the %d errors reached the client (%d)"
                  % (dst, len(soft), counter(client, "icmpin") - n0))
        ksft_eq({"server_open_failed": 0, "server_open_ok": 0},
                delta(s0, ctl_stats(ns=router), "server_open_failed",
                      "server_open_ok"),
                "%s: %s: the server half still opens"
                % (dst, ", ".join(w for w, _ in soft)))

        n1 = counter(client, "icmpin")
        ic.sendto(hard(isn), (me, 0))
        ic.close()
        ksft_true(wait_for(lambda: delta(s0, ctl_stats(ns=router),
                                         "server_open_failed")[
                                             "server_open_failed"] == 1),
                  "%s: port unreachable quoting the server SYN: the server"
                  " half failed" % dst)
        # Counted as it was dropped: nothing more to wait for.
        ksft_eq(0, counter(client, "icmpin") - n1,
                "%s: that error was not forwarded to the client" % dst)


def main(argv):
    return check_main(argv, __doc__, {
        "bulk": cmd_bulk,
        "opening": cmd_opening,
    })


if __name__ == "__main__":
    sys.exit(main(sys.argv))
