#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Packet-level probes and traces for the catoproxy full-mode selftests.

Stdlib only: packets are built and parsed here (IPv4/IPv6 + TCP with
options), sent on raw sockets and captured on AF_PACKET sockets opened in
any network namespace (lib/py: packet, netns). Importing scapy costs seconds per
process in the TCG test VM; this costs nothing. Prints one JSON object.

  tcpprobe.py probe NS IFACE DST DPORT SPORT OPTS WAIT [ack]
        Send one SYN from NS (OPTS: "all" = MSS 1460, SACK-permitted,
        timestamps, window scale 7, Linux's order; "none" = no options) and
        report what comes back within WAIT seconds on IFACE: {"probe_seq",
        "probe_tsval", "synacks": [SEG...], "rsts": [SEG...], "others"}.
        With "ack", the first SYN-ACK is acknowledged (the handshake
        completes, as a client's kernel would).

  tcpprobe.py trace SCENARIO CLIENT_NS SERVER_NS PORT HOST...
        Runs one connection per HOST (client socket in CLIENT_NS, server
        socket in SERVER_NS, both in this process) while capturing c0 and
        s0, and reports per HOST what the sockets saw and the handshake
        packets on both links. SCENARIO: basic (connect, pause, echo
        100 kB), halfclose-client, halfclose-server, rst-client,
        rst-server, keepalive.

SEG is {"flags", "seq", "ack", "win", "len", "opts": [names in order],
"mss", "ws", "tsval", "tsecr", "t" (seconds since the start)}.
"""

import hashlib
import random
import socket
import struct
import sys
import threading
import time

from lib.py import errname, json_main, linger0, listener, netns, \
    next_recv, recv_all, recv_exact
from lib.py.packet import Capture, build, optset, raw_sender, src_addr, \
    strip


def cmd_probe(ns, iface, dst, dport, sport, opts, wait, do_ack):
    src = src_addr(ns, dst)
    seq = random.getrandbits(32)
    tsval = random.getrandbits(31)
    if opts == "all":
        o = struct.pack("!BBH", 2, 4, 1460) + b"\4\2" + \
            struct.pack("!BBII", 8, 10, tsval, 0) + b"\1\3\3\7"
    else:
        o = b""
    tx = raw_sender(ns, dst)
    cap = Capture({"c": (ns, iface)})
    time.sleep(0.05)
    t_syn = time.monotonic() - cap.t0
    tx.sendto(build(src, dst, sport, dport, seq, 0, "S", 64240, o), (dst, 0))
    acked = False
    end = time.monotonic() + wait
    while time.monotonic() < end:
        time.sleep(0.02)
        if do_ack and not acked:
            sa = [p for p in cap.pkts if not p["out"] and p["sport"] == dport
                  and p["dport"] == sport and p["flags"] == "SA"]
            if sa:
                ao = b""
                if "tsval" in sa[0]:
                    ao = b"\1\1" + struct.pack("!BBII", 8, 10, tsval + 1,
                                               sa[0]["tsval"])
                tx.sendto(build(src, dst, sport, dport, seq + 1,
                                (sa[0]["seq"] + 1) & 0xffffffff, "A",
                                502, ao), (dst, 0))
                acked = True
        if not do_ack and any(p["flags"] in ("SA", "RA", "R") for p in
                              cap.pkts if not p["out"]):
            # a SYN-ACK or RST arrived: give a duplicate a moment, stop
            time.sleep(0.3)
            break
    pk = [p for p in cap.stop() if not p["out"] and p["sport"] == dport
          and p["dport"] == sport]
    for p in pk:
        p["t"] = round(p["t"] - t_syn, 3)
    return {"probe_seq": seq, "probe_tsval": tsval, "acked": acked,
            "synacks": [strip(p) for p in pk if p["flags"] == "SA"],
            "rsts": [strip(p) for p in pk if "R" in p["flags"]],
            "others": [strip(p) for p in pk
                       if p["flags"] != "SA" and "R" not in p["flags"]]}


# --------------------------------------------------------------- traces

def keepalive(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)


def read_all(s):
    h = hashlib.sha256()
    n = 0
    while True:
        d = s.recv(65536)
        if not d:
            return n, h.hexdigest()
        n += len(d)
        h.update(d)


def server_side(scn, c, r):
    """The server's half of SCENARIO on accepted socket c; results in r."""
    c.settimeout(30)
    try:
        if scn == "basic":
            n = 0
            while True:
                d = c.recv(65536)
                if not d:
                    break
                n += len(d)
                c.sendall(d)
            r["srv_bytes"] = n
        elif scn == "halfclose-client":
            n, h = read_all(c)
            r["srv_got"] = "%d %s" % (n, h)
            big = random.Random(2).randbytes(200000)
            c.sendall(big + ("%d %s\n" % (n, h)).encode())
            r["srv_sent"] = hashlib.sha256(big).hexdigest()
        elif scn == "halfclose-server":
            big = random.Random(3).randbytes(200000)
            c.sendall(big)
            c.shutdown(socket.SHUT_WR)
            r["srv_sent"] = hashlib.sha256(big).hexdigest()
            n, h = read_all(c)
            r["srv_got"] = "%d %s" % (n, h)
        elif scn == "rst-client":
            c.sendall(recv_exact(c, 1000))
            r["srv_after_rst"] = next_recv(c)
        elif scn == "rst-server":
            c.sendall(recv_exact(c, 1000))
            linger0(c)
            time.sleep(0.3)
        elif scn == "keepalive":
            keepalive(c)
            for _ in range(2):
                c.sendall(recv_exact(c, 100))
            n, _ = read_all(c)
    except OSError as e:
        r["srv_error"] = errname(e) if e.errno else str(e)
    finally:
        c.close()
        r["srv_done"] = True


def client_side(scn, s, host, port, r):
    t0 = time.monotonic()
    s.settimeout(30)
    s.connect((host, port))
    r["connect_ms"] = int((time.monotonic() - t0) * 1000)
    if scn == "basic":
        time.sleep(0.3)  # the third ACK goes out alone
        data = random.Random(1).randbytes(100000)
        got = bytearray()

        def rd():
            while len(got) < len(data):
                d = s.recv(65536)
                if not d:
                    break
                got.extend(d)
        t = threading.Thread(target=rd)
        t.start()
        s.sendall(data)
        t.join(40)
        r["echo_ok"] = bytes(got) == data
        s.shutdown(socket.SHUT_WR)
        r["eof"] = s.recv(10) == b""
    elif scn == "halfclose-client":
        data = random.Random(4).randbytes(100000)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        buf = recv_all(s)
        big, tail = bytes(buf[:200000]), bytes(buf[200000:])
        r["cli_got_ok"] = hashlib.sha256(big).hexdigest() == \
            hashlib.sha256(random.Random(2).randbytes(200000)).hexdigest()
        r["cli_verdict_ok"] = tail.decode(errors="replace").strip() == \
            "%d %s" % (len(data), hashlib.sha256(data).hexdigest())
    elif scn == "halfclose-server":
        n, h = read_all(s)
        r["cli_got_ok"] = (n, h) == (200000, hashlib.sha256(
            random.Random(3).randbytes(200000)).hexdigest())
        data = random.Random(5).randbytes(100000)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        r["cli_sent"] = "%d %s" % (len(data), hashlib.sha256(data).hexdigest())
        r["eof"] = s.recv(10) == b""
    elif scn == "rst-client":
        s.sendall(b"r" * 1000)
        recv_exact(s, 1000)
        linger0(s)
    elif scn == "rst-server":
        s.sendall(b"q" * 1000)
        recv_exact(s, 1000)
        r["cli_after_rst"] = next_recv(s)
    elif scn == "keepalive":
        keepalive(s)
        s.sendall(b"k" * 100)
        recv_exact(s, 100)
        r["idle_from"] = round(time.monotonic(), 3)
        time.sleep(6)
        r["idle_to"] = round(time.monotonic(), 3)
        s.sendall(b"l" * 100)
        r["after_idle_ok"] = recv_exact(s, 100) == b"l" * 100


def handshake_facts(r):
    """One line saying what the handshake looked like on both links."""
    cs, ca = r["client_syns"], r["client_synacks"]
    ss, sa = r["server_syns"], r["server_synacks"]
    if ca and sa:
        cseq = set(p["seq"] for p in ca)
        sseq = set(p["seq"] for p in sa)
        isn = "own" if not cseq & sseq else \
            "server" if cseq == sseq else "mixed"
    else:
        isn = "n/a"
    same = "same" if ca and len(set(p["seq"] for p in ca)) == 1 else "differ"
    if cs and ss:
        if all(p["seq"] == cs[0]["seq"] for p in ss):
            srv = "client" if all(optset(p) == optset(cs[0]) for p in ss) \
                else "client-seq-other-opts"
        else:
            srv = "other-seq"
    else:
        srv = "n/a"
    return "syn=%d/%d synack=%d/%d isn=%s synack_isn=%s srv_syn=%s" % (
        len(cs), len(ss), len(ca), len(sa), isn, same, srv)


def cmd_trace(scn, cns, sns, port, hosts):
    out = {}
    ls = listener(sns, port, 16)
    for host in hosts:
        r = {}
        cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
        t_start = time.monotonic()
        with netns(cns):
            s = socket.socket(socket.AF_INET6 if ":" in host
                              else socket.AF_INET, socket.SOCK_STREAM)
        sth = None

        def acc():
            ls.settimeout(30)
            try:
                c, _ = ls.accept()
            except OSError as e:
                r["srv_error"] = "accept: %s" % errname(e)
                return
            server_side(scn, c, r)
        sth = threading.Thread(target=acc, daemon=True)
        sth.start()
        try:
            client_side(scn, s, host, port, r)
        except OSError as e:
            r["cli_error"] = errname(e) if e.errno else str(e)
        finally:
            s.close()
        sth.join(40)
        r["secs"] = round(time.monotonic() - t_start, 2)
        lport = None
        pk = cap.stop()
        # this connection's packets: the client's SYN names the port
        for p in pk:
            if p["tap"] == "c" and p["out"] and p["flags"] == "S" and \
                    p["dport"] == port:
                lport = p["sport"]
                break
        pk = [p for p in pk if lport and (p["sport"], p["dport"]) in
              ((lport, port), (port, lport))]
        cli = [p for p in pk if p["tap"] == "c"]
        srv = [p for p in pk if p["tap"] == "s"]
        r["client_syns"] = [strip(p) for p in cli if p["out"] and p["flags"] == "S"]
        r["client_synacks"] = [strip(p) for p in cli if not p["out"] and p["flags"] == "SA"]
        r["server_syns"] = [strip(p) for p in srv if not p["out"] and p["flags"] == "S"]
        r["server_synacks"] = [strip(p) for p in srv if p["out"] and p["flags"] == "SA"]
        r["client_rsts_in"] = [strip(p) for p in cli if not p["out"] and "R" in p["flags"]]
        r["server_rsts_in"] = [strip(p) for p in srv if not p["out"] and "R" in p["flags"]]
        # the first ACK-only segment of each side after its handshake
        r["client_acks_out"] = [strip(p) for p in cli if p["out"] and p["flags"] == "A"][:3]
        r["server_acks_in"] = [strip(p) for p in srv if not p["out"] and p["flags"] == "A"][:3]
        if "idle_from" in r:
            a = r.pop("idle_from") - cap.t0 + 0.5
            b = r.pop("idle_to") - cap.t0
            idle = [p for p in pk if a <= p["t"] <= b and p["flags"] == "A"
                    and p["len"] <= 1]
            r["ka_client_out"] = sum(1 for p in idle if p["tap"] == "c" and p["out"])
            r["ka_client_in"] = sum(1 for p in idle if p["tap"] == "c" and not p["out"])
            r["ka_server_out"] = sum(1 for p in idle if p["tap"] == "s" and p["out"])
            r["ka_server_in"] = sum(1 for p in idle if p["tap"] == "s" and not p["out"])
        r["npkts"] = len(pk)
        r["hs"] = handshake_facts(r)
        out[host] = r
    ls.close()
    return out


def main(argv):
    return json_main(argv, __doc__, {
        "probe": lambda a: cmd_probe(a[0], a[1], a[2], int(a[3]), int(a[4]),
                                     a[5], float(a[6]),
                                     len(a) > 7 and a[7] == "ack"),
        "trace": lambda a: cmd_trace(a[0], a[1], a[2], int(a[3]), a[4:]),
    })


if __name__ == "__main__":
    sys.exit(main(sys.argv))
