#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Load for the lifecycle churn (churn/churn.sh), in one process.

  churn.py load CLIENT READYFILE STOPFILE RESULTFILE COUNT HOST,PORT [...]
        From netns CLIENT: opens COUNT connections round robin over the
        targets and keeps them, writes "OPEN FAILED" to READYFILE; then,
        until STOPFILE exists, floods the first IPv4 target with SYNs from
        spoofed sources of the client's /24 (addresses .100-.250, none of
        them there) and storms the open connections with blind RSTs
        (random sequence numbers, either direction's addresses as the
        client's); then resets every connection it holds (SO_LINGER 0)
        and writes "OPEN FAILED SYNS RSTS" to RESULTFILE.
"""

import os
import random
import socket
import struct
import sys
import time

from lib.py import client_socket, linger0, netns, target, write_atomic
from lib.py.packet import build, src_addr

BURST = 50


def load(cns, ready, stop, result, count, *targets):
    count = int(count)
    tgts = [target(t) for t in targets]
    socks, failed = [], 0
    for i in range(count):
        _, host, port = tgts[i % len(tgts)]
        s = client_socket(cns, host)
        s.settimeout(10)
        try:
            s.connect((host, port))
            socks.append(s)
        except OSError:
            failed += 1
            s.close()
    write_atomic(ready, "%d %d\n" % (len(socks), failed))

    v4 = [t[1:] for t in tgts if t[0] == socket.AF_INET]
    with netns(cns):
        raw = {socket.AF_INET: socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                             socket.IPPROTO_RAW),
               socket.AF_INET6: socket.socket(socket.AF_INET6,
                                              socket.SOCK_RAW,
                                              socket.IPPROTO_RAW)}
    tuples = []
    for s in socks:
        try:
            src, sport = s.getsockname()[:2]
            dst, dport = s.getpeername()[:2]
        except OSError:
            continue
        tuples.append((s.family, src, sport, dst, dport))
    prefix = None
    if v4:
        prefix = src_addr(cns, v4[0][0]).rsplit(".", 1)[0]
    syns = rsts = 0
    while not os.path.exists(stop):
        for _ in range(BURST):
            if prefix:
                src = "%s.%d" % (prefix, random.randint(100, 250))
                pkt = build(src, v4[0][0], random.randint(1024, 65535),
                            v4[0][1], random.getrandbits(32), 0, "S", 64240,
                            struct.pack("!BBH", 2, 4, 1460))
                try:
                    raw[socket.AF_INET].sendto(pkt, (v4[0][0], 0))
                    syns += 1
                except OSError:
                    pass
            if tuples:
                fam, src, sport, dst, dport = random.choice(tuples)
                pkt = build(src, dst, sport, dport, random.getrandbits(32),
                            0, "R", 0)
                try:
                    raw[fam].sendto(pkt, (dst, 0))
                    rsts += 1
                except OSError:
                    pass
        time.sleep(0.01)
    for s in socks:
        try:
            linger0(s)
        except OSError:
            pass
        s.close()
    for r in raw.values():
        r.close()
    write_atomic(result, "%d %d %d %d\n" % (len(socks), failed, syns, rsts))
    return 0


def main(argv):
    if len(argv) < 8 or argv[1] != "load":
        print(__doc__, file=sys.stderr)
        return 1
    return load(*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
