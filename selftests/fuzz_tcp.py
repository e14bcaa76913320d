#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed and odd TCP segments through the router, for selftests/fuzz.sh.

  fuzz_tcp.py CLIENT ROUTER SERVER N SEED RESULT

N segments (at least), in one process, IPv4 and IPv6 alike, injected as
Ethernet frames on c0 (towards r0) and, for ICMP errors about the client's
segments, on s0 (towards r1), on the tuples of connections in each state
of the module in turn (N / 7 each):

  opening     full mode: a crafted SYN answered by the module, the
              server silent (its SYNs to the port dropped), the client's
              RST to the SYN-ACK dropped in its own output
  holding     full mode: a real client's handshake and request held, the
              server silent
  spliced     full mode: a real connection, open end to end
  cookie      full mode, syn-backlog 0: crafted SYNs answered with
              cookies, then the segments on their tuples
  blocked     full mode, a rule blocking the port: a real client's
              connection blocked
  delayed     delayed mode: a real connection
  challenged  delayed mode: a real connection whose tuple saw a new SYN
              and the server's challenge ACK

The segments: bad data offsets (below 5, past the end), truncated, looping
(length 0 and 1) and oversized options, SYN+FIN, SYN+RST, SYN with data,
FIN+RST, no flags, every flag, URG with an urgent pointer, zero and huge
windows (with window scale 14), bad checksums, sequence and
acknowledgment numbers in, just past and far from the window, IPv4
options, IPv6 extension headers (Hop-by-Hop, Destination Options, routing
types 0 and 4, atomic fragments, chains of them, a header claiming more
than there is), IPv4 and IPv6 fragments (first only, both halves, a TCP
header split across them, overlapping), and ICMP/ICMPv6 errors (frag
needed, packet too big, unreachable, time exceeded, redirect, parameter
problem) quoting such segments, from either end. Every injected frame
carries TTL / hop limit 77: what the router forwards arrives with 76.

Per state: "sent", "forwarded" (frames with the marker seen at the far
end), "counted" (the sum of the deltas of the router's counters that
account for a frame not forwarded: the module's drop, hold and answer
counters, conntrack's drop and invalid statistics, the IPv4/IPv6/ICMP MIB
drop and reassembly counters, the devices' rx_dropped), the deltas
themselves, and "v6_frag_incomplete": first IPv6 fragments never
completed, which conntrack's IPv6 defragmentation holds until they expire
without counting them anywhere. Asserts that at least N frames were sent
and, per state, counted + v6_frag_incomplete >= sent - forwarded; "#" lines summarise; RESULT gets one JSON
object {"states": {...}, "sent", "secs"}."""

import fcntl
import json
import os
import random
import select
import socket
import struct
import subprocess
import sys
import threading
import time

from lib.py import (EchoServer, ctl, ctl_stats, ksft_ge, ksft_main, ksft_pr,
                    netns)
from lib.py.packet import csum

ETH_P_ALL, ETH_P_IP, ETH_P_IPV6 = 0x0003, 0x0800, 0x86dd
MARK_TTL = 77
CLIENT4, CLIENT6 = "10.0.1.2", "fd00:1::2"
SERVER4, SERVER6 = "10.0.2.2", "fd00:2::2"
P_ECHO, P_SILENT, P_BLOCK = 8080, 8081, 8082
RAW_PORTS = (41000, 41999)   # crafted client ports: their RSTs dropped
STATES = ["opening", "holding", "spliced", "cookie", "blocked", "delayed",
          "challenged"]
# Counters a frame that is not forwarded must move (or a frame the module
# takes for itself: held, answered).
MODULE_COUNTERS = (
    "syn_intercepted", "held_segments", "held_dropped", "invalid_dropped",
    "rst_out_of_window", "rst_challenge_dropped", "blocked_dropped",
    "blocked_syn_dropped", "blocked_reset_sent", "blocked_page_sent",
    "cookie_mode_syns", "cookie_invalid", "cookie_valid",
    "challenge_ack_sent", "challenge_ack_ratelimited", "payload_malformed",
    "payload_hold_full", "server_syn_dropped", "synack_retransmitted")
SNMP = {"Ip": ("InHdrErrors", "InAddrErrors", "InUnknownProtos",
               "InDiscards", "OutDiscards", "OutNoRoutes", "ReasmReqds",
               "ReasmFails", "FragFails"),
        "Icmp": ("InErrors", "InCsumErrors")}
SNMP6 = ("Ip6InHdrErrors", "Ip6InTooBigErrors", "Ip6InNoRoutes",
         "Ip6InAddrErrors", "Ip6InUnknownProtos", "Ip6InTruncatedPkts",
         "Ip6InDiscards", "Ip6OutDiscards", "Ip6OutNoRoutes",
         "Ip6ReasmReqds", "Ip6ReasmFails", "Ip6FragFails", "Icmp6InErrors",
         "Icmp6InCsumErrors")
CT_STATS = ("invalid", "drop", "early_drop", "insert_failed", "error")


def run(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


# -------------------------------------------------------------- counters

def router_counters(router):
    """Every counter of the accounting, as one flat dict."""
    c = {}
    st = ctl_stats(ns=router)
    for k in MODULE_COUNTERS:
        c["mod:" + k] = st.get(k, 0)
    out = subprocess.run(["ip", "netns", "exec", router, "sh", "-c",
                          "cat /proc/net/snmp /proc/net/snmp6 "
                          "/proc/net/stat/nf_conntrack; "
                          "cat /sys/class/net/r0/statistics/rx_dropped "
                          "/sys/class/net/r1/statistics/rx_dropped"],
                         capture_output=True, text=True).stdout.splitlines()
    i = 0
    while i < len(out):
        w = out[i].split()
        if w and w[0].endswith(":") and i + 1 < len(out) and \
                out[i + 1].split()[0] == w[0]:
            vals = out[i + 1].split()
            for k, v in zip(w[1:], vals[1:]):
                if k in SNMP.get(w[0][:-1], ()):
                    c["%s:%s" % (w[0][:-1], k)] = int(v)
            i += 2
            continue
        if len(w) == 2 and w[0] in SNMP6:
            c[w[0]] = int(w[1])
        elif w and w[0] == "entries":
            hdr = w
            tot = dict.fromkeys(CT_STATS, 0)
            i += 1
            while i < len(out) and len(out[i].split()) == len(hdr):
                for k, v in zip(hdr, out[i].split()):
                    if k in tot:
                        tot[k] += int(v, 16)
                i += 1
            for k, v in tot.items():
                c["ct:" + k] = v
            continue
        elif len(w) == 1 and w[0].isdigit():
            c["dev:rx_dropped%d" % (len([k for k in c if
                                         k.startswith("dev:")]))] = int(w[0])
        i += 1
    return c


def delta(a, b):
    return {k: b[k] - a.get(k, 0) for k in b if b[k] != a.get(k, 0)}


# ---------------------------------------------------------------- frames

def hwaddr(ns, dev):
    with netns(ns):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        r = fcntl.ioctl(s, 0x8927, struct.pack("256s", dev.encode()))
        return r[18:24]
    finally:
        s.close()


class Injector:
    """Frames out of DEV in NS to its veth peer."""

    def __init__(self, ns, dev, peer_ns, peer_dev):
        with netns(ns):
            self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            self.s.bind((dev, 0))
        self.src, self.dst = hwaddr(ns, dev), hwaddr(peer_ns, peer_dev)
        self.sent = 0

    def send(self, l3):
        et = ETH_P_IPV6 if l3[0] >> 4 == 6 else ETH_P_IP
        if len(l3) > 1500:
            return
        self.s.send(self.dst + self.src + struct.pack("!H", et) + l3)
        self.sent += 1


class Tap:
    """Counts frames arriving on (ns, dev) with the forwarded marker and
    remembers the last segment of each tuple (to learn seq/ack)."""

    def __init__(self, ns, dev):
        with netns(ns):
            self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                   socket.htons(ETH_P_ALL))
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 23)
            self.s.bind((dev, ETH_P_ALL))
        self.marked = 0
        self.last = {}
        self.stopped = False
        self.lock = threading.Lock()
        self.th = threading.Thread(target=self.run, daemon=True)
        self.th.start()

    def run(self):
        while not self.stopped:
            if not select.select([self.s], [], [], 0.05)[0]:
                continue
            f, addr = self.s.recvfrom(256)
            et = struct.unpack("!H", f[12:14])[0]
            p = f[14:]
            if et == ETH_P_IP and len(p) >= 20:
                ttl, proto, ihl = p[8], p[9], (p[0] & 15) * 4
                src, dst = p[12:16], p[16:20]
                t = p[ihl:]
            elif et == ETH_P_IPV6 and len(p) >= 40:
                ttl, proto, src, dst, t = p[7], p[6], p[8:24], p[24:40], \
                    p[40:]
            else:
                continue
            with self.lock:
                if ttl == MARK_TTL - 1 and addr[2] != 4:  # not outgoing
                    self.marked += 1
                if proto == 6 and len(t) >= 16 and ttl != MARK_TTL - 1:
                    sp, dp, seq, ack = struct.unpack("!HHII", t[:12])
                    win = struct.unpack("!H", t[14:16])[0]
                    self.last[(src, dst, sp, dp)] = (seq, ack, win)

    def seg(self, src, dst, sp, dp):
        fam = socket.AF_INET6 if ":" in src else socket.AF_INET
        k = (socket.inet_pton(fam, src), socket.inet_pton(fam, dst), sp, dp)
        with self.lock:
            return self.last.get(k)

    def count(self):
        with self.lock:
            return self.marked

    def stop(self):
        self.stopped = True
        self.th.join()
        self.s.close()


def tcp_hdr(src, dst, sport, dport, seq, ack, flags, win, opts=b"",
            data=b"", doff=None, urg=0, bad_csum=False):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    if doff is None:
        doff = 5 + (len(opts) + 3) // 4
        opts += b"\0" * ((4 - len(opts) % 4) % 4)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff,
                      ack & 0xffffffff, (doff & 15) << 4, flags & 0xff,
                      win & 0xffff, 0, urg) + opts + data
    if fam == socket.AF_INET6:
        pseudo = s + d + struct.pack("!IxxxB", len(tcp), 6)
    else:
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(tcp))
    ck = csum(pseudo + tcp) ^ (0x5a5a if bad_csum else 0)
    return tcp[:16] + struct.pack("!H", ck) + tcp[18:]


def ip4(src, dst, proto, payload, opts=b"", frag=0, ident=None, ttl=MARK_TTL):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 4 * ihl + len(payload),
                    random.getrandbits(16) if ident is None else ident, frag,
                    ttl, proto, 0, socket.inet_aton(src),
                    socket.inet_aton(dst)) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, nh, payload, plen=None, hl=MARK_TTL):
    return struct.pack("!IHBB", 6 << 28, len(payload) if plen is None
                       else max(0, plen) & 0xffff, nh, hl) + \
        socket.inet_pton(socket.AF_INET6, src) + \
        socket.inet_pton(socket.AF_INET6, dst) + payload


def ext6(nh, kind, r):
    """One IPv6 extension header of KIND, followed by NH."""
    if kind == 44:   # fragment: atomic (offset 0, no more)
        return struct.pack("!BBHI", nh, 0, 0, r.getrandbits(32))
    if kind == 43:   # routing: type 0 (deprecated) or 4 (SRH), segleft 0/1
        rtype = r.choice([0, 4, 2])
        segs = r.choice([0, 1])
        body = struct.pack("!BBBB", nh, 2, rtype, segs) + b"\0" * 4 + \
            socket.inet_pton(socket.AF_INET6, SERVER6)
        return body
    # hop-by-hop (0) or destination options (60): PadN, or an unknown
    # option whose type asks for a discard / an ICMP
    opt = r.choice([b"\x01\x04\0\0\0\0", b"\x41\x04\0\0\0\0",
                    b"\xc2\x04\0\0\0\0", b"\x05\x02\0\0\x01\0"])
    return bytes([nh, 0]) + opt


class Gen:
    def __init__(self, rnd):
        self.r = rnd
        self.v6_incomplete = 0

    def options(self):
        r = self.r
        x = r.random()
        if x < 0.2:   # looping: a length of 0 or 1
            return bytes([r.choice([2, 3, 8, 30, 99]), r.choice([0, 1])]) + \
                b"\1" * 6
        if x < 0.35:  # truncated: longer than the header
            return bytes([r.choice([2, 3, 4, 5, 8, 19, 29, 30, 34]),
                          r.choice([10, 18, 40, 255])]) + b"\0\0"
        if x < 0.5:   # oversized known ones
            return bytes([2, 6, 0xff, 0xff, 0, 0, 3, 4, 14, 0])
        if x < 0.65:  # window scale 14 plus a huge window
            return b"\x03\x03\x0e\x01"
        if x < 0.75:  # SACK blocks, garbage
            return b"\x01\x01\x05\x0a" + os.urandom(8)
        if x < 0.85:  # MD5 / AO looking
            return bytes([r.choice([19, 29]), 18]) + os.urandom(16)
        return os.urandom(r.randrange(1, 40))

    def segment(self, src, dst, sp, dp, seq, ack, win):
        """A malformed or odd TCP header and its data."""
        r = self.r
        F, S, R, P, A, U = 1, 2, 4, 8, 16, 32
        flags = r.choice([S | F, S | R, S, S | A, F | R, 0, 0xff, U | A,
                          A, P | A, R, R | A, F | A, S | F | R | P | U,
                          0x40 | S, 0xc0 | A])
        dseq = r.choice([0, 1, -1, 65535, 1 << 20, -(1 << 20),
                         r.getrandbits(32)])
        dack = r.choice([0, 1, -1, 1 << 20, r.getrandbits(32)])
        w = r.choice([0, 0, 1, 0xffff, win, r.getrandbits(16)])
        opts = self.options() if r.random() < 0.6 else b""
        data = b""
        if r.random() < 0.4:
            # at most 1200: options and extension headers stay in the MTU
            data = os.urandom(r.choice([1, 10, 100, 1000, 1200]))
        doff = None
        x = r.random()
        if x < 0.12:
            doff = r.choice([0, 1, 4])
        elif x < 0.22:
            doff = r.choice([15, 6 + (len(opts) + len(data)) // 4 + 1])
        return tcp_hdr(src, dst, sp, dp, seq + dseq, ack + dack, flags, w,
                       opts, data, doff=doff,
                       urg=r.getrandbits(16) if flags & U else 0,
                       bad_csum=r.random() < 0.08)

    def frames(self, src, dst, sp, dp, seq, ack, win):
        """One malformed thing as a list of L3 frames (fragments)."""
        r = self.r
        tcp = self.segment(src, dst, sp, dp, seq, ack, win)
        v6 = ":" in dst
        x = r.random()
        if not v6:
            if x < 0.12:   # IP options: NOP/EOL/router alert/garbage
                opts = r.choice([b"\x01\x01\x01\x00", b"\x94\x04\0\0",
                                 b"\x44\x0c\x05\x00" + b"\0" * 8,
                                 os.urandom(4)])
                return [ip4(src, dst, 6, tcp, opts=opts)]
            if x < 0.24:   # fragments
                ident = r.getrandbits(16)
                cut = r.choice([8, 16, 8 * ((len(tcp) // 2) // 8 or 1)])
                first = ip4(src, dst, 6, tcp[:cut], frag=0x2000, ident=ident)
                y = r.random()
                if y < 0.3 or len(tcp) <= cut:
                    return [first]
                rest = ip4(src, dst, 6, tcp[cut:], frag=cut // 8, ident=ident)
                if y < 0.5:   # overlapping: the second restarts at 0
                    return [first, ip4(src, dst, 6, tcp, frag=0,
                                       ident=ident)]
                if y < 0.6:
                    return [rest]
                return [first, rest]
            return [ip4(src, dst, 6, tcp)]
        if x < 0.3:        # extension headers
            kinds = [r.choice([0, 60, 43, 44])
                     for _ in range(r.choice([1, 1, 2, 3]))]
            if 0 in kinds:  # hop-by-hop is first or not at all
                kinds = [0] + [k for k in kinds if k != 0]
            chain = kinds + [6]
            body = b"".join(ext6(chain[i + 1], kinds[i], r)
                            for i in range(len(kinds)))
            plen = None
            if r.random() < 0.1:
                plen = len(body) + len(tcp) + r.choice([-30, 8, 200])
            return [ip6(src, dst, chain[0], body + tcp, plen=plen)]
        if x < 0.42:       # fragments
            ident = r.getrandbits(32)
            cut = r.choice([8, 16, 8 * ((len(tcp) // 2) // 8 or 1)])

            def fr(off, more, part):
                return ip6(src, dst, 44, struct.pack(
                    "!BBHI", 6, 0, (off << 3) | more, ident) + part)
            if len(tcp) <= cut or r.random() < 0.3:
                # never completed: held by conntrack's IPv6 defrag until
                # it expires, which no counter records
                self.v6_incomplete += 1
                return [fr(0, 1, tcp[:cut])]
            return [fr(0, 1, tcp[:cut]), fr(cut // 8, 0, tcp[cut:])]
        return [ip6(src, dst, 6, tcp)]

    def icmp(self, src, dst, quoted):
        """An ICMP error from src to dst quoting the L3 packet quoted."""
        r = self.r
        q = quoted[:r.choice([28, 48, 68, 200, len(quoted)])]
        if ":" not in dst:
            t, c = r.choice([(3, 4), (3, 3), (3, 1), (11, 0), (5, 1),
                             (12, 0), (3, 13)])
            rest = struct.pack("!HH", 0, r.choice([0, 68, 576, 1280, 1400,
                                                   65535])) \
                if (t, c) == (3, 4) else b"\0" * 4
            if t == 5:
                rest = socket.inet_aton(r.choice([CLIENT4, SERVER4]))
            msg = struct.pack("!BBH", t, c, 0) + rest + q
            msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
            return ip4(src, dst, 1, msg)
        t, c = r.choice([(2, 0), (1, 4), (1, 0), (3, 0), (4, 0), (4, 1),
                         (137, 0)])
        mtu = r.choice([0, 1279, 1280, 1400, 0xffffffff])
        msg = struct.pack("!BBHI", t, c, 0, mtu if t == 2 else 0) + \
            q[:1232]
        s, d = socket.inet_pton(socket.AF_INET6, src), \
            socket.inet_pton(socket.AF_INET6, dst)
        ck = csum(s + d + struct.pack("!IxxxB", len(msg), 58) + msg)
        msg = msg[:2] + struct.pack("!H", ck) + msg[4:]
        return ip6(src, dst, 58, msg)


# ----------------------------------------------------------------- states

class Bench:
    def __init__(self, client, router, server, rnd):
        self.client, self.router, self.server = client, router, server
        self.r = rnd
        self.gen = Gen(rnd)
        self.cinj = Injector(client, "c0", router, "r0")
        self.sinj = Injector(server, "s0", router, "r1")
        self.ctap = Tap(client, "c0")
        self.stap = Tap(server, "s0")
        self.echo = EchoServer(server, P_ECHO)
        self.socks = []
        self.rawport = RAW_PORTS[0]

    def ctl(self, *args):
        ctl(*args, ns=self.router)

    def connect(self, host, port, data=b"", wait=True):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        with netns(self.client):
            s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(5)
        self.socks.append(s)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 0))
        try:
            # a blocked connection may be reset at once: its tuple is
            # fuzzed all the same
            s.connect((host, port))
            if data:
                s.sendall(data)
            if wait and data:
                s.recv(100)
        except OSError:
            pass
        return s.getsockname()[1]

    def crafted_syn(self, host, port):
        """A SYN from a crafted port (its RSTs dropped in the client)."""
        self.rawport += 1
        src = CLIENT6 if ":" in host else CLIENT4
        isn = self.r.getrandbits(32)
        syn = tcp_hdr(src, host, self.rawport, port, isn, 0, 2, 64240,
                      b"\x02\x04\x05\xb4")
        self.cinj.send(ip6(src, host, 6, syn, hl=64) if ":" in host
                       else ip4(src, host, 6, syn, ttl=64))
        return self.rawport, isn + 1

    def tuples(self, state):
        """(client addr, server addr, sport, dport) per family, set up
        in STATE, and the base seq/ack/win of the client's side."""
        out = []
        for srv in (SERVER4, SERVER6):
            cli = CLIENT6 if ":" in srv else CLIENT4
            if state == "opening":
                sp, seq = self.crafted_syn(srv, P_SILENT)
                out.append((cli, srv, sp, P_SILENT, seq, 0, 64240))
                continue
            if state == "cookie":
                sp, seq = self.crafted_syn(srv, P_ECHO)
                out.append((cli, srv, sp, P_ECHO, seq, 0, 64240))
                continue
            port = {"holding": P_SILENT, "blocked": P_BLOCK}.get(state,
                                                                 P_ECHO)
            sp = self.connect(srv, port, b"GET / HTTP/1.0\r\n\r\n",
                              wait=state not in ("holding",))
            out.append((cli, srv, sp, port, 0, 0, 64240))
        time.sleep(0.3)
        res = []
        for cli, srv, sp, port, seq, ack, win in out:
            last = self.ctap.seg(cli, srv, sp, port)
            if last and not seq:
                seq, ack, win = last
            if state == "challenged":
                # a new SYN on the live tuple: the server's challenge ACK
                syn = tcp_hdr(cli, srv, sp, port, self.r.getrandbits(32), 0,
                              2, 64240)
                self.cinj.send(ip6(cli, srv, 6, syn, hl=64) if ":" in srv
                               else ip4(cli, srv, 6, syn, ttl=64))
            res.append((cli, srv, sp, port, seq, ack, win))
        if state == "challenged":
            time.sleep(0.3)
        return res

    def fuzz(self, state, n):
        tuples = self.tuples(state)
        c0 = router_counters(self.router)
        sent0 = self.cinj.sent + self.sinj.sent
        f0 = self.stap.count() + self.ctap.count()
        i0 = self.gen.v6_incomplete
        k = 0
        while self.cinj.sent + self.sinj.sent - sent0 < n:
            cli, srv, sp, dp, seq, ack, win = tuples[k % len(tuples)]
            k += 1
            frames = self.gen.frames(cli, srv, sp, dp, seq, ack, win)
            if self.r.random() < 0.12:
                # an ICMP error quoting it, from the server's side about
                # the client's segment or the other way round
                if self.r.random() < 0.5:
                    self.sinj.send(self.gen.icmp(srv, cli, frames[0]))
                else:
                    back = self.gen.frames(srv, cli, dp, sp, ack, seq, win)
                    self.cinj.send(self.gen.icmp(cli, srv, back[0]))
                continue
            for f in frames:
                self.cinj.send(f)
            if k % 200 == 0:
                time.sleep(0.01)
        # let the router finish (reassembly, held segments stay held)
        time.sleep(1.0)
        sent = self.cinj.sent + self.sinj.sent - sent0
        fwd = self.stap.count() + self.ctap.count() - f0
        d = delta(c0, router_counters(self.router))
        counted = sum(v for v in d.values() if v > 0)
        return {"sent": sent, "forwarded": fwd, "not_forwarded": sent - fwd,
                "counted": counted, "deltas": d,
                "v6_frag_incomplete": self.gen.v6_incomplete - i0}

    def close(self):
        for s in self.socks:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
                s.close()
            except OSError:
                pass
        self.socks = []


def fuzz(client, router, server, n, seed, result):
    n, seed = int(n), int(seed)
    rnd = random.Random(seed)
    random.seed(seed)
    b = Bench(client, router, server, rnd)
    per = (n + len(STATES) - 1) // len(STATES)
    out = {"states": {}}
    t0 = time.monotonic()
    for st in STATES:
        if st in ("opening", "holding", "spliced", "blocked"):
            b.ctl("set", "mode", "full", "syn-backlog", "1024")
        elif st == "cookie":
            b.ctl("set", "mode", "full", "syn-backlog", "0")
        else:
            b.ctl("set", "mode", "delayed", "syn-backlog", "1024")
        r = out["states"][st] = b.fuzz(st, per)
        b.close()
        ksft_pr("%-10s sent %5d forwarded %5d not forwarded %5d counted "
                "%6d v6 fragments never completed %4d  %s" %
                (st, r["sent"], r["forwarded"], r["not_forwarded"],
                 r["counted"], r["v6_frag_incomplete"],
                 json.dumps(r["deltas"], sort_keys=True)))
    out["sent"] = sum(s["sent"] for s in out["states"].values())
    out["secs"] = round(time.monotonic() - t0, 1)
    with open(result, "w") as f:
        json.dump(out, f, sort_keys=True)
    ksft_pr("%d frames in %.0f s" % (out["sent"], out["secs"]))
    ksft_ge(out["sent"], n, "frames injected")
    for st, r in out["states"].items():
        ksft_ge(r["counted"] + r["v6_frag_incomplete"], r["not_forwarded"],
                "%s: the router's counters account for the frames it did "
                "not forward" % st)


def main(argv):
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 1
    return ksft_main(fuzz, *argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
