# SPDX-License-Identifier: GPL-2.0
"""Packets: IPv4/IPv6 + TCP with options built and parsed here, sent on
raw sockets and captured on AF_PACKET sockets opened in any network
namespace. A parsed segment (SEG) is {"src", "dst", "sport", "dport",
"flags", "seq", "ack", "win", "len", "opts": [names in order], "mss",
"ws", "tsval", "tsecr"}; a captured one adds "t" (seconds since the
capture started), "out" (sent by the tapped side) and "tap" (its label)."""

import random
import select
import socket
import struct
import threading
import time

from .netns import netns

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
OPT_NAMES = {0: "EOL", 1: "NOP", 2: "MSS", 3: "WS", 4: "SACK_PERM", 5: "SACK",
             8: "TS"}
FLAGS = "FSRPAUEC"


def flagstr(f):
    return "".join(FLAGS[i] for i in range(8) if f & (1 << i))


def parse(frame):
    """Ethernet frame -> dict for TCP segments, else None."""
    if len(frame) < 14:
        return None
    et = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if et == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 0xf) * 4
        if p[9] != 6:
            return None
        tot = struct.unpack("!H", p[2:4])[0]
        src, dst = socket.inet_ntop(socket.AF_INET, p[12:16]), \
            socket.inet_ntop(socket.AF_INET, p[16:20])
        t, tlen = p[ihl:], tot - ihl
    elif et == 0x86dd and len(p) >= 40:
        if p[6] != 6:
            return None
        tlen = struct.unpack("!H", p[4:6])[0]
        src, dst = socket.inet_ntop(socket.AF_INET6, p[8:24]), \
            socket.inet_ntop(socket.AF_INET6, p[24:40])
        t = p[40:]
    else:
        return None
    if len(t) < 20:
        return None
    sport, dport, seq, ack, off, fl, win = struct.unpack("!HHIIBBH", t[:16])
    doff = (off >> 4) * 4
    seg = {"src": src, "dst": dst, "sport": sport, "dport": dport,
           "flags": flagstr(fl), "seq": seq, "ack": ack, "win": win,
           "len": tlen - doff, "opts": []}
    o = t[20:doff]
    i = 0
    while i < len(o):
        k = o[i]
        if k == 0:
            seg["opts"].append("EOL")
            break
        if k == 1:
            seg["opts"].append("NOP")
            i += 1
            continue
        if i + 1 >= len(o) or o[i + 1] < 2:
            seg["opts"].append("BAD")
            break
        ln = o[i + 1]
        v = o[i + 2:i + ln]
        seg["opts"].append(OPT_NAMES.get(k, "OPT%d" % k))
        if k == 2 and ln == 4:
            seg["mss"] = struct.unpack("!H", v)[0]
        elif k == 3 and ln == 3:
            seg["ws"] = v[0]
        elif k == 8 and ln == 10:
            seg["tsval"], seg["tsecr"] = struct.unpack("!II", v)
        i += ln
    return seg


def optset(seg):
    return sorted(set(o for o in seg["opts"] if o not in ("NOP", "EOL")))


class Capture:
    """AF_PACKET capture of (netns, iface) pairs in a background thread."""

    def __init__(self, taps):
        self.socks = {}
        for label, (ns, iface) in taps.items():
            with netns(ns):
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
                s.bind((iface, ETH_P_ALL))
            self.socks[s.fileno()] = (label, s)
        self.pkts = []
        self.t0 = time.monotonic()
        self.stopped = False
        self.th = threading.Thread(target=self.run, daemon=True)
        self.th.start()

    def run(self):
        while not self.stopped:
            rd, _, _ = select.select(list(self.socks), [], [], 0.1)
            for fd in rd:
                label, s = self.socks[fd]
                data, addr = s.recvfrom(256)
                seg = parse(data)
                if seg:
                    seg["t"] = round(time.monotonic() - self.t0, 3)
                    seg["out"] = addr[2] == PACKET_OUTGOING
                    seg["tap"] = label
                    self.pkts.append(seg)

    def stop(self):
        time.sleep(0.2)
        self.stopped = True
        self.th.join()
        for _, s in self.socks.values():
            s.close()
        return self.pkts


def src_addr(ns, dst):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    with netns(ns):
        s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        s.connect((dst, 9))
        return s.getsockname()[0]
    finally:
        s.close()


def csum(data):
    """The Internet checksum of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def build(src, dst, sport, dport, seq, ack, flags, win, opts=b""):
    v6 = ":" in dst
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    if len(opts) % 4:
        opts += b"\1" * (4 - len(opts) % 4)
    fl = sum(1 << FLAGS.index(c) for c in flags)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack,
                      (5 + len(opts) // 4) << 4, fl, win, 0, 0) + opts
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    if v6:
        pseudo = s + d + struct.pack("!IxxxB", len(tcp), 6)
    else:
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + s + d
    else:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                         random.getrandbits(16), 0, 64, 6, 0, s, d)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def raw_sender(ns, dst):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    with netns(ns):
        return socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)


def strip(seg):
    return {k: seg[k] for k in ("flags", "seq", "ack", "win", "len", "opts",
                                "mss", "ws", "tsval", "tsecr", "t")
            if k in seg}
