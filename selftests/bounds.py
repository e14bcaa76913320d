#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What full mode keeps for an opening connection is bounded, and a client's
reset ends one (full_proxy.sh, full_cookie.sh). One run per check; its "#"
diagnostics and failures on stdout, exit code 1 when an assert failed.

  bounds.py held CLIENT ROUTER DST PORT SPORT NCONN NSEG SIZE
        Raw SYNs from the client to DST:PORT (an address with no host, so
        that the server half stays opening), from NCONN source ports
        starting at SPORT, each followed by NSEG data segments of SIZE zero
        bytes (the client's link must carry them whole), in sequence.
        Every data segment is held or refused, and each refusal counted by
        its bound: held_segments + held_dropped + held_limit_conn +
        held_limit_net moved by NCONN * NSEG. What is held (at least SIZE
        bytes of truesize a segment) stays within 256 KiB a connection and
        16 MiB in all (a segment more per CPU); a single connection
        (NCONN 1) past its bound gets held_limit_conn, many past the
        namespace's bound held_limit_net.
  bounds.py clientrst CLIENT ROUTER SERVER PORT HOST [HOST ...]
        A server on PORT whose SYN-ACKs never leave it (a rule of the test
        drops them) holds each connection half-open (SYN-RECEIVED) while
        the module has answered the client. One connection from the client
        to each HOST,PORT; once the server holds them all, the client
        sends blind resets on each tuple (from its address, below and far
        above the window the module's SYN-ACK offered): rst_out_of_window
        counts each, and every connection stays opening at the router.
        Then the client resets them (SO_LINGER 0): within 3 s the server
        holds none, and the router has no connection opening to PORT.
  bounds.py cookies CLIENT ROUTER HOST PORT COUNT OPENMAX
        With syn-backlog 0 and a server that drops SYNs to PORT: COUNT
        connections from the client to HOST,PORT, each answered with a
        cookie; the first OPENMAX ACKs open a server half (connections
        opening OPENMAX), the rest are refused: cookie_open_refused moves
        by COUNT - OPENMAX, cookie_valid by COUNT. The client's resets
        then leave none opening.
  bounds.py timer CLIENT ROUTER HOST PORT COUNT
        COUNT connections (more than 256) from the client to HOST,PORT,
        whose SYNs the server drops, below the syn-backlog: all opening.
        The function-graph tracer then watches the half-open timer for a
        second: each run looks at exactly 256 of them (a call of
        catoproxy_conn_get() each, outside the sending of the SYNs it
        sends again), the bound on what it does under its
        spinlock, not at all COUNT (python3 -m lib.py.ftrace available
        tells whether the kernel can trace). The client's resets then
        leave none opening.
"""

import socket
import struct
import subprocess
import sys
import time

from lib.py import (check_main, client_socket, ctl, ctl_stats, ksft_eq,
                    ksft_ge, ksft_le, ksft_pr, ksft_true, linger0, listener)
from lib.py import ftrace
from lib.py.packet import build, csum, raw_sender, src_addr

CONN_BYTES = 256 << 10
NET_BYTES = 16 << 20
HELD = ("held_segments", "held_dropped", "held_limit_conn", "held_limit_net")


def delta(before, after, names):
    return {n: after.get(n, 0) - before.get(n, 0) for n in names}


def data_segment(src, dst, sport, dport, seq, size):
    """An IPv4 TCP segment of size zero bytes: they add nothing to the
    checksum, which is the header's alone."""
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, 1,
                      5 << 4, 0x18, 65535, 0, 0)
    pseudo = s + d + struct.pack("!BBH", 0, 6, len(tcp) + size)
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + size, 0, 0,
                     64, 6, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp + bytes(size)


def check_held(cns, rns, dst, port, sport, nconn, nseg, size):
    port, sport, nconn, nseg, size = (int(port), int(sport), int(nconn),
                                      int(nseg), int(size))
    src = src_addr(cns, dst)
    tx = raw_sender(cns, dst)
    before = ctl_stats(ns=rns)
    for i in range(nconn):
        isn = 1000000 * (i + 1)
        tx.sendto(build(src, dst, sport + i, port, isn, 0, "S", 64240,
                        struct.pack("!BBH", 2, 4, 1460)), (dst, 0))
        for k in range(nseg):
            tx.sendto(data_segment(src, dst, sport + i, port,
                                   isn + 1 + k * size, size), (dst, 0))
    tx.close()
    # The router has taken them in once every one is counted somewhere.
    end = time.monotonic() + 10
    while True:
        d = delta(before, ctl_stats(ns=rns), HELD + ("syn_intercepted",))
        if sum(d[n] for n in HELD) >= nconn * nseg or \
                time.monotonic() > end:
            break
        time.sleep(0.2)
    ksft_pr("counters moved: %s" % d)
    ksft_eq(nconn, d["syn_intercepted"], "SYNs intercepted")
    ksft_eq(nconn * nseg, sum(d[n] for n in HELD),
            "data segments held or refused, each counted once")
    ksft_eq(0, d["held_dropped"], "refused for their number (64 a "
            "connection): none")
    # Each held segment takes at least its size.
    ksft_le(d["held_segments"] * size,
            min(nconn * CONN_BYTES, NET_BYTES + 4 * 65536),
            "bytes held, at most 256 KiB a connection and 16 MiB in all")
    if nconn == 1:
        ksft_ge(d["held_segments"], 1, "a segment held at least")
        ksft_ge(d["held_limit_conn"], nseg - CONN_BYTES // size,
                "refused at the bound per connection")
    else:
        ksft_ge(d["held_limit_net"], 1, "refused at the bound per namespace")


def send_seq(s):
    """The next sequence number socket s sends (read in repair mode, left
    without the window probe leaving it would send)."""
    tcp_repair, tcp_repair_queue, tcp_queue_seq = 19, 20, 21
    s.setsockopt(socket.IPPROTO_TCP, tcp_repair, 1)
    try:
        s.setsockopt(socket.IPPROTO_TCP, tcp_repair_queue, 2)  # send queue
        return struct.unpack("I", s.getsockopt(socket.IPPROTO_TCP,
                                               tcp_queue_seq, 4))[0]
    finally:
        s.setsockopt(socket.IPPROTO_TCP, tcp_repair, -1)  # off, no probe


def syn_recv(sns, port):
    out = subprocess.run(["ip", "netns", "exec", sns, "ss", "-Htn", "state",
                          "syn-recv", "( sport = :%s )" % port],
                         capture_output=True, text=True, check=True).stdout
    return len([ln for ln in out.splitlines() if ln.strip()])


def opening(rns, port):
    return sum(1 for c in ctl("show", "conns", ns=rns) or []
               if c.get("state") == "opening" and c.get("dport") == port)


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return False
        time.sleep(0.1)
    return True


def check_clientrst(cns, rns, sns, port, *hosts):
    port = int(port)
    lsock = listener(sns, port)
    socks = []
    for h in hosts:
        s = client_socket(cns, h)
        s.settimeout(5)
        s.connect((h, port))
        socks.append(s)
    ksft_true(wait_for(lambda: syn_recv(sns, port) == len(hosts), 10),
              "the server holds every connection half-open",
              syn_recv(sns, port))
    ksft_eq(len(hosts), opening(rns, port), "opening at the router")
    # Blind resets on the clients' tuples, below and far above the window
    # the module's SYN-ACK offered: dropped and counted, nothing ends.
    before = ctl_stats(ns=rns)
    for s in socks:
        seq = send_seq(s)
        src, sport = s.getsockname()[:2]
        dst = s.getpeername()[0]
        raw = raw_sender(cns, dst)
        for bad in (seq - 70000, seq + 0x40000000):
            raw.sendto(build(src, dst, sport, port, bad & 0xffffffff, 0,
                             "R", 0), (dst, 0))
        raw.close()
    ksft_true(wait_for(lambda: delta(before, ctl_stats(ns=rns),
                                     ["rst_out_of_window"])
                       ["rst_out_of_window"] >= 2 * len(hosts), 3),
              "blind resets counted")
    ksft_eq({"rst_out_of_window": 2 * len(hosts), "server_open_failed": 0},
            delta(before, ctl_stats(ns=rns),
                  ["rst_out_of_window", "server_open_failed"]),
            "blind resets during opening: counters")
    ksft_eq(len(hosts), opening(rns, port),
            "opening at the router after the blind resets")
    # Not asserted: on 6.12 one of the server's half-open connections was
    # sometimes gone by now (2 runs of 3), blind resets dropped all the
    # same; the server's own timers, not the module, hold those.
    ksft_pr("half-open at the server after the blind resets: %d"
            % syn_recv(sns, port))
    for s in socks:
        linger0(s)
        s.close()
    ksft_true(wait_for(lambda: syn_recv(sns, port) == 0, 3),
              "the client's resets ended them at the server within 3 s",
              syn_recv(sns, port))
    ksft_eq(0, opening(rns, port), "opening at the router after the resets")
    lsock.close()


def open_many(cns, host, port, count):
    """count connections from cns to host,port, not waited for."""
    socks = []
    for _ in range(count):
        s = client_socket(cns, host)
        s.setblocking(False)
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        socks.append(s)
    return socks


def reset_all(rns, port, socks):
    """The client's resets end every connection opening to port."""
    for s in socks:
        linger0(s)
        s.close()
    ksft_true(wait_for(lambda: opening(rns, port) == 0, 10),
              "none opening after the client's resets", opening(rns, port))


def check_cookies(cns, rns, host, port, count, openmax):
    port, count, openmax = int(port), int(count), int(openmax)
    before = ctl_stats(ns=rns)
    socks = open_many(cns, host, port, count)
    names = ("cookie_valid", "cookie_open_refused", "cookie_mode_syns")
    wait_for(lambda: sum(delta(before, ctl_stats(ns=rns), names)[n]
                         for n in names[:2]) >= count, 20)
    d = delta(before, ctl_stats(ns=rns), names)
    ksft_pr("counters moved: %s" % d)
    ksft_eq(count, d["cookie_mode_syns"], "SYNs answered with a cookie")
    ksft_eq(count, d["cookie_valid"], "handshake ACKs with a valid cookie")
    ksft_eq(count - openmax, d["cookie_open_refused"],
            "ACKs refused past the bound")
    ksft_eq(openmax, opening(rns, port), "connections opening")
    # Their resets end the opening ones; the refused ones the router forgot.
    reset_all(rns, port, socks)


TIMER_BUDGET = 256


def check_timer(cns, rns, host, port, count):
    port, count = int(port), int(count)
    ksft_true(ftrace.available(), "the function-graph tracer")
    socks = open_many(cns, host, port, count)
    ksft_true(wait_for(lambda: opening(rns, port) == count, 30),
              "all opening", opening(rns, port))
    # The SYNs it sends again, after the walk, go through the module's
    # hooks, which look their entries up too: those calls are not the
    # walk's.
    trace = (["pending_timer"], ["catoproxy_conn_get"],
             ["catoproxy_tx_forward", "nf_hook_slow"])
    ftrace.start(*trace)
    time.sleep(1)
    looked = ftrace.calls(ftrace.stop(), *trace)
    ksft_pr("entries looked at per run of the timer: %s" % looked)
    ksft_ge(len(looked), 3, "runs of the timer traced in a second")
    ksft_eq(TIMER_BUDGET, max(looked, default=0),
            "the most entries one run looked at")
    ksft_eq(TIMER_BUDGET, min(looked, default=0),
            "the fewest entries one run looked at")
    reset_all(rns, port, socks)


if __name__ == "__main__":
    sys.exit(check_main(sys.argv, __doc__, {
        "held": check_held,
        "clientrst": check_clientrst,
        "cookies": check_cookies,
        "timer": check_timer,
    }))
