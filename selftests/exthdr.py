#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""IPv6 extension headers through the router, and held segments of a device
that goes away (full_proxy.sh). One run per check; its "#" diagnostics and
failures on stdout, exit code 1 when an assert failed.

  exthdr.py modes CLIENT ROUTER SERVER SERVER6 PORT NOHOST6
        In modes full, delayed and off, over IPv6 only:
        - two connections whose both ends send every segment with
          extension headers (Destination Options; Hop-by-Hop + Destination
          Options on the client's side of the second), set on the sockets
          (IPV6_DSTOPTS, IPV6_HOPOPTS), echo 600 KB intact, SYNs, ACKs,
          data and FINs all carrying them: in full mode both SYNs are
          intercepted (syn_intercepted +2, server_open_ok +2); in every
          mode no segment is counted as a reset (rst_out_of_window 0);
        - full: a raw SYN with Destination Options (then Hop-by-Hop +
          Destination Options) to NOHOST6 gets the module's SYN-ACK:
          addresses and ports mirrored, ack = seq + 1, a TCP checksum
          that holds for those addresses and that length;
        - full and delayed: two blind RSTs with Destination Options on the
          first connection's tuple (below and above the server's window)
          are dropped (rst_out_of_window +2) and the connection still
          echoes; an ICMPv6 Packet Too Big from the server quoting one of
          the client's segments (Destination Options, payload length 1460,
          whose low byte read as TCP flags has RST set) reaches the client
          and is no reset (rst_out_of_window unchanged).
  exthdr.py devgone CLIENT ROUTER SERVER DST PORT ROUTER_DEV
        Full mode, a server that drops SYNs to PORT: a connection to DST
        from the client (routed through ROUTER_DEV) is answered by the
        module; the client's ACK and request are held, then the client's
        output to PORT is stopped; ROUTER_DEV is deleted (with its veth
        peer); a POSTROUTING counter for iifname
        ROUTER_DEV is added in the router; the server's drop rule goes, the
        module's next SYN retransmission opens the server half
        (server_open_ok +1): the held segments were dropped with the
        device (held_dropped = held_segments moved) and nothing the router
        sent afterwards claimed to come from the deleted device (counter 0).
"""

import hashlib
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

from lib.py import (EchoServer, check_main, ctl, ctl_stats, ksft_eq,
                    ksft_ge, ksft_pr, ksft_true, linger0, netns, recv_exact)
from lib.py.packet import csum, raw_sender, src_addr

NH_HOP, NH_TCP, NH_ICMP6, NH_DST = 0, 6, 58, 60
ETH_P_ALL = 0x0003
ETH_P_IPV6 = 0x86dd
SIZE = 600000
# An empty option block (PadN): the header as setsockopt takes it; the
# kernel fills in the next header.
PADN8 = b"\0\0\x01\x04\0\0\0\0"


def ext(nexthdr):
    """An 8-byte extension header (PadN) followed by nexthdr."""
    return bytes([nexthdr]) + PADN8[1:]


def tcp_v6(src, dst, sport, dport, seq, ack, flags, exts=(), win=64240,
           opts=b"", payload=b"", plen=None):
    """An IPv6 packet: the extension headers named in exts (NH_HOP,
    NH_DST, in order), then TCP. plen overrides the payload length."""
    s, d = socket.inet_pton(socket.AF_INET6, src), \
        socket.inet_pton(socket.AF_INET6, dst)
    fl = sum(1 << "FSRPAUEC".index(c) for c in flags)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff,
                      ack & 0xffffffff, (5 + len(opts) // 4) << 4, fl, win,
                      0, 0) + opts + payload
    pseudo = s + d + struct.pack("!IxxxB", len(tcp), NH_TCP)
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    chain = list(exts) + [NH_TCP]
    hdrs = b"".join(ext(chain[i + 1]) for i in range(len(exts)))
    body = hdrs + tcp
    return struct.pack("!IHBB", 6 << 28, len(body) if plen is None else plen,
                       chain[0], 64) + s + d + body


def parse6(frame):
    """An Ethernet frame -> (src, dst, proto, transport bytes, payload
    length) past every extension header, or None."""
    if len(frame) < 54 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IPV6:
        return None
    p = frame[14:]
    plen = struct.unpack("!H", p[4:6])[0]
    nh, off = p[6], 40
    while nh in (NH_HOP, NH_DST, 43) and off + 8 <= len(p):
        nh, off = p[off], off + (p[off + 1] + 1) * 8
    src = socket.inet_ntop(socket.AF_INET6, p[8:24])
    dst = socket.inet_ntop(socket.AF_INET6, p[24:40])
    return src, dst, nh, p[off:40 + plen], 40 + plen - off


class Tap:
    """Every small frame on (ns, dev), both ways, in a thread."""

    def __init__(self, ns, dev):
        # ETH_P_ALL: a protocol's taps do not see what the device sends.
        with netns(ns):
            self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                   socket.htons(ETH_P_ALL))
            self.s.bind((dev, ETH_P_ALL))
        self.frames = []
        self.stopped = False
        self.th = threading.Thread(target=self.run, daemon=True)
        self.th.start()

    def run(self):
        while not self.stopped:
            if select.select([self.s], [], [], 0.05)[0]:
                f = self.s.recv(65536)
                # Handshakes, resets, ICMP errors: not the bulk data.
                if len(f) <= 256:
                    self.frames.append(f)

    def wait(self, match, timeout=3.0):
        """The first parsed frame for which match(parsed) holds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for f in list(self.frames):
                p = parse6(f)
                if p and match(p):
                    return p
            time.sleep(0.02)
        return None

    def stop(self):
        self.stopped = True
        self.th.join()
        self.s.close()


def tcp_fields(t):
    sport, dport, seq, ack, off, fl = struct.unpack("!HHIIBB", t[:14])
    return sport, dport, seq, ack, fl


def tcp_csum_ok(src, dst, t, tlen):
    """The checksum of segment t holds for src, dst and length tlen, in
    full or (a CHECKSUM_PARTIAL packet seen on a veth) as the pseudo-header
    sum the device would have completed."""
    s, d = socket.inet_pton(socket.AF_INET6, src), \
        socket.inet_pton(socket.AF_INET6, dst)
    pseudo = s + d + struct.pack("!IxxxB", tlen, NH_TCP)
    if csum(pseudo + t[:tlen]) == 0:
        return True
    return struct.unpack("!H", t[16:18])[0] == (~csum(pseudo) & 0xffff)


def stats(router):
    return ctl_stats(ns=router)


def delta(s0, s1, *names):
    return {n: s1.get(n, 0) - s0.get(n, 0) for n in names}


def echo(s, size):
    """Send size random bytes on s while reading its echo: intact?"""
    data = os.urandom(size)
    err = []

    def send():
        try:
            s.sendall(data)
        except OSError as e:
            err.append(e)
    t = threading.Thread(target=send, daemon=True)
    t.start()
    h = hashlib.sha256()
    try:
        recv_exact(s, size, h)
    except OSError as e:
        err.append(e)
    t.join(5)
    return not err and h.digest() == hashlib.sha256(data).digest(), err


def connect(client, dst, port, hop):
    with netns(client):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, PADN8)
    if hop:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, PADN8)
    s.settimeout(15)
    s.connect((dst, port))
    return s


def synack_check(client, nohost6, sport, exts, tap, desc):
    me = src_addr(client, nohost6)
    raw = raw_sender(client, nohost6)
    isn = 0x12345678
    raw.sendto(tcp_v6(me, nohost6, sport, 80, isn, 0, "S", exts,
                      opts=b"\x02\x04\x05\xb4"), (nohost6, 0))
    raw.close()
    p = tap.wait(lambda p: p[2] == NH_TCP and p[0] == nohost6 and
                 tcp_fields(p[3])[:2] == (80, sport))
    if not ksft_true(p is not None, "%s: a SYN-ACK from %s" % (desc, nohost6)):
        return
    src, dst, _, t, tlen = p
    _, _, _, ack, fl = tcp_fields(t)
    ksft_eq("SA", "".join(c for i, c in enumerate("FSRPAUEC")
                          if fl & (1 << i)), "%s: flags" % desc)
    ksft_eq(me, dst, "%s: SYN-ACK destination" % desc)
    ksft_eq(isn + 1, ack, "%s: SYN-ACK ack" % desc)
    ksft_true(tcp_csum_ok(src, dst, t, tlen),
              "%s: SYN-ACK checksum for %s -> %s" % (desc, src, dst))


def blind_and_icmp(client, server, router, s, isn, sport, server6, port,
                   tap, mode):
    """Blind RSTs with Destination Options and an ICMPv6 error quoting
    one on s (client port sport, client ISN isn)."""
    me = s.getsockname()[0]
    s0 = stats(router)
    raw = raw_sender(client, server6)
    for off in (-200000, 1 << 30):
        raw.sendto(tcp_v6(me, server6, sport, port, isn + 1 + off, 0, "R",
                          (NH_DST,), win=0), (server6, 0))
    raw.close()
    end = time.monotonic() + 3
    while time.monotonic() < end and \
            delta(s0, stats(router), "rst_out_of_window")[
                "rst_out_of_window"] < 2:
        time.sleep(0.1)
    ok, err = echo(s, 1000)
    ksft_true(ok, "%s: the connection echoes after the blind RSTs" % mode,
              err)
    ksft_eq({"rst_out_of_window": 2},
            delta(s0, stats(router), "rst_out_of_window"),
            "%s: blind RSTs with Destination Options" % mode)

    # Packet Too Big quoting a client segment; mtu 1500 changes nothing.
    s1 = stats(router)
    quoted = tcp_v6(me, server6, sport, port, isn + 1, 0, "A", (NH_DST,),
                    plen=1460)
    with netns(server):
        ic = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                           socket.IPPROTO_ICMPV6)
    ic.sendto(struct.pack("!BBHI", 2, 0, 0, 1500) + quoted, (me, 0))
    ic.close()
    p = tap.wait(lambda p: p[2] == NH_ICMP6 and p[0] == server6 and
                 p[3][0] == 2)
    ksft_true(p is not None, "%s: the client got the Packet Too Big" % mode)
    ksft_eq({"rst_out_of_window": 0},
            delta(s1, stats(router), "rst_out_of_window"),
            "%s: Packet Too Big quoting Destination Options" % mode)


def modes(client, router, server, server6, port, nohost6):
    port = int(port)
    es = EchoServer(server, port)
    # Children inherit the listener's options: the server's segments,
    # its SYN-ACK on, carry them too.
    es.ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, PADN8)
    tap = Tap(client, "c0")
    sport = 40900
    try:
        for mode in ("full", "delayed", "off"):
            ctl("set", "mode", mode, ns=router)
            s0 = stats(router)
            socks = []
            for hop in (False, True):
                desc = "mode %s, %s" % (mode, "Hop-by-Hop + Destination"
                                        " Options" if hop else
                                        "Destination Options")
                try:
                    s = connect(client, server6, port, hop)
                except OSError as e:
                    ksft_true(False, "%s: connect" % desc, e)
                    continue
                ok, err = echo(s, SIZE)
                ksft_true(ok, "%s: %d bytes echoed intact" % (desc, SIZE),
                          err)
                socks.append(s)
            s1 = stats(router)
            want = {"rst_out_of_window": 0, "invalid_dropped": 0}
            if mode == "full":
                want.update(syn_intercepted=2, server_open_ok=2)
            ksft_eq(want, delta(s0, s1, *want), "mode %s: counters" % mode)

            if mode == "full":
                for exts in ((NH_DST,), (NH_HOP, NH_DST)):
                    sport += 1
                    synack_check(client, nohost6, sport, exts, tap,
                                 "raw SYN with %s" % (
                                     "Hop-by-Hop + Destination Options"
                                     if len(exts) == 2 else
                                     "Destination Options"))
            if mode != "off" and socks:
                s = socks[0]
                lport = s.getsockname()[1]
                syn = tap.wait(lambda p: p[2] == NH_TCP and
                               tcp_fields(p[3])[0] == lport and
                               tcp_fields(p[3])[4] == 2, timeout=0.5)
                if ksft_true(syn is not None, "%s: the client's SYN seen"
                             % mode):
                    blind_and_icmp(client, server, router, s,
                                   tcp_fields(syn[3])[2], lport, server6,
                                   port, tap, mode)
            for s in socks:
                linger0(s)
                s.close()
            # Capture only what the next mode does.
            tap.frames.clear()
    finally:
        tap.stop()
        es.close()


def run(*cmd, quiet=False):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode and not quiet:
        ksft_pr("%s: rc %d: %s" % (" ".join(cmd), r.returncode,
                                   (r.stdout + r.stderr).strip()))
    return r.returncode == 0


def devgone(client, router, server, dst, port, rdev):
    port = int(port)
    ctl("set", "mode", "full", ns=router)
    run("ip", "netns", "exec", server, "nft", "add table inet devgone\n"
        "add chain inet devgone in { type filter hook input priority 0; }\n"
        "add rule inet devgone in tcp dport %d tcp flags syn drop" % port)
    server_table = True
    es = EchoServer(server, port)
    s0 = stats(router)
    try:
        with netns(client):
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect((dst, port))
        s.sendall(b"held request\n")
        end = time.monotonic() + 5
        while time.monotonic() < end and delta(
                s0, stats(router), "held_segments")["held_segments"] < 2:
            time.sleep(0.05)
        # The client's retransmissions would be held too, and the last
        # ones (through c0, once c1 is gone) would not be dropped.
        run("ip", "netns", "exec", client, "nft", "add table inet devgone\n"
            "add chain inet devgone out { type filter hook output"
            " priority 0; }\n"
            "add rule inet devgone out tcp dport %d drop" % port)
        time.sleep(0.1)
        held = delta(s0, stats(router), "held_segments")["held_segments"]
        ksft_ge(held, 2, "segments held (ACK, request)")

        run("ip", "-n", router, "link", "del", rdev)
        run("ip", "netns", "exec", router, "nft",
            "add table inet devgone\n"
            "add chain inet devgone post { type filter hook postrouting"
            " priority 0; }\n"
            "add rule inet devgone post meta iifname %s counter" % rdev)
        run("ip", "netns", "exec", server, "nft", "delete table inet devgone")
        server_table = False
        end = time.monotonic() + 10
        while time.monotonic() < end and delta(
                s0, stats(router), "server_open_ok")["server_open_ok"] < 1:
            time.sleep(0.1)
        d = delta(s0, stats(router), "server_open_ok", "held_segments",
                  "held_dropped")
        ksft_eq(1, d["server_open_ok"], "server half opened after %s went"
                % rdev)
        ksft_eq({"held_segments": held, "held_dropped": held},
                {k: d[k] for k in ("held_segments", "held_dropped")},
                "held segments dropped with %s" % rdev)
        out = subprocess.run(["ip", "netns", "exec", router, "nft", "list",
                              "table", "inet", "devgone"],
                             capture_output=True, text=True).stdout
        ksft_true("counter packets 0 " in out,
                  "router POSTROUTING: packets from the deleted %s" % rdev,
                  " ".join(out.split()))
        s.close()
    finally:
        es.close()
        if server_table:
            run("ip", "netns", "exec", server, "nft",
                "delete table inet devgone", quiet=True)
        for ns in (router, client):
            run("ip", "netns", "exec", ns, "nft", "delete table inet devgone",
                quiet=True)


CHECKS = {"modes": modes, "devgone": devgone}

if __name__ == "__main__":
    sys.exit(check_main(sys.argv, __doc__, CHECKS))
