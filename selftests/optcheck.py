#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""SYNs the proxy must not answer for, and ECN, for selftests/full_handshake.sh:
real connections and raw SYNs between the client and server namespaces, both
ends in this process, c0 and s0 captured; "#" diagnostics and failures on
stdout, exit code 1 when an assert failed.

  optcheck.py conns CLIENT_NS SERVER_NS PORT NSIGNED ECN HOST...
        Per HOST: one unsigned connection to PORT+1, then NSIGNED
        connections signed with TCP-MD5 (RFC 2385, setsockopt TCP_MD5SIG
        on both ends) to PORT; each echoes 20 kB. While each signed one is
        open, a raw RST far outside its window is sent from the client's
        address and port, and the connection echoes again. Asserts that
        all echo, that every SYN-ACK the signed client received is one the
        server sent and carries its MD5 option, that the server received
        the client's SYN as sent and not the blind RST (the caller checks
        rst_out_of_window), and that both ends of the unsigned
        connection agree on ECN (TCP_INFO), which must be ECN ("on" or
        "off"; the sysctl net.ipv4.tcp_ecn=1 on both ends is the caller's).

  optcheck.py ao CLIENT_NS SERVER_NS PORT HOST...
        Per HOST: a raw SYN with a TCP-AO option (RFC 5925, kind 29) and
        ECE|CWR to PORT, where nothing listens. Asserts that the server
        received it as sent (sequence number, flags, window, options) and
        that no SYN-ACK reached the client.
"""

import os
import random
import socket
import struct
import sys
import time

from lib.py import check_main, errname, ksft_eq, ksft_pr, ksft_true, \
    netns, recv_exact
from lib.py.packet import Capture, build, raw_sender, src_addr

TCP_MD5SIG = 14
TCPI_OPT_ECN = 8
KEY = b"catoproxy-selftest-md5"
PAYLOAD = os.urandom(20000)
TIMEOUT = 8


def sockaddr(host):
    """A struct sockaddr_storage for host, port 0."""
    if ":" in host:
        sa = struct.pack("=H", socket.AF_INET6) + bytes(6) + \
            socket.inet_pton(socket.AF_INET6, host) + bytes(4)
    else:
        sa = struct.pack("=H", socket.AF_INET) + bytes(2) + \
            socket.inet_pton(socket.AF_INET, host)
    return sa + bytes(128 - len(sa))


def md5_key(s, peer):
    """struct tcp_md5sig: segments to and from peer are signed with KEY."""
    s.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG,
                 sockaddr(peer) + struct.pack("=BBHi", 0, 0, len(KEY), 0) +
                 KEY + bytes(80 - len(KEY)))


def listen(ns, host, port, peer=None):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with netns(ns):
        s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if peer:
        md5_key(s, peer)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", port))
    s.listen(16)
    s.settimeout(TIMEOUT)
    return s


def ecn(s):
    opts = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)[5]
    return "on" if opts & TCPI_OPT_ECN else "off"


def connect(cns, ls, host, port, signed, while_open=None):
    """One connection echoing PAYLOAD, then while_open(client port) and
    an echo of a few bytes if given: (client port, error or None, client's
    ECN, server's ECN)."""
    with netns(cns):
        c = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                          socket.SOCK_STREAM)
    c.settimeout(TIMEOUT)
    lport, err, cecn, secn = None, None, "?", "?"
    a = None
    try:
        if signed:
            md5_key(c, host)
        c.bind(("", 0))
        lport = c.getsockname()[1]
        c.connect((host, port))
        a, _ = ls.accept()
        a.settimeout(TIMEOUT)
        c.sendall(PAYLOAD)
        a.sendall(recv_exact(a, len(PAYLOAD)))
        if recv_exact(c, len(PAYLOAD)) != PAYLOAD:
            raise OSError("echo differs")
        cecn, secn = ecn(c), ecn(a)
        if while_open:
            while_open(lport)
            c.sendall(b"ping\n")
            a.sendall(recv_exact(a, 5))
            if recv_exact(c, 5) != b"ping\n":
                raise OSError("echo after the RST differs")
    except OSError as e:
        err = errname(e) if e.errno or isinstance(e, socket.timeout) \
            else str(e)
    finally:
        c.close()
        if a:
            a.close()
    return lport, err, cecn, secn


def seen(pkts, tap, out, sport, dport, syn_ack):
    return [p for p in pkts if p["tap"] == tap and p["out"] == out and
            p["sport"] == sport and p["dport"] == dport and
            "S" in p["flags"] and ("A" in p["flags"]) == syn_ack]


def check_conns(cns, sns, port, nsigned, want_ecn, *hosts):
    port, nsigned = int(port), int(nsigned)
    peers = {h: src_addr(cns, h) for h in hosts}
    cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
    time.sleep(0.05)
    runs = []
    blind = {}

    def blind_rst(h, lport):
        end = time.monotonic() + 3
        while not seen(cap.pkts, "c", True, lport, port, False):
            if time.monotonic() > end:
                return
            time.sleep(0.02)
        syn = seen(cap.pkts, "c", True, lport, port, False)
        blind[lport] = (syn[0]["seq"] + (1 << 31)) & 0xffffffff
        tx = raw_sender(cns, h)
        tx.sendto(build(peers[h], h, lport, port, blind[lport], 0, "R", 0),
                  (h, 0))
        tx.close()
        time.sleep(0.1)

    for h in hosts:
        plain = listen(sns, h, port + 1)
        signed = listen(sns, h, port, peers[h])
        runs.append((h, False, connect(cns, plain, h, port + 1, False)))
        for _ in range(nsigned):
            runs.append((h, True, connect(
                cns, signed, h, port, True,
                lambda lport, h=h: blind_rst(h, lport))))
        plain.close()
        signed.close()
    pkts = cap.stop()

    for h, is_signed, (lport, err, cecn, secn) in runs:
        what = "%s %s connection from port %s" % (
            h, "TCP-MD5" if is_signed else "unsigned", lport)
        ksft_eq(None, err, "%s: echo" % what)
        if not is_signed:
            ksft_eq("%s %s" % (want_ecn, want_ecn), "%s %s" % (cecn, secn),
                    "%s: ECN at the client and at the server" % what)
            continue
        dport = port
        c_syn = seen(pkts, "c", True, lport, dport, False)
        s_syn = seen(pkts, "s", False, lport, dport, False)
        c_sa = seen(pkts, "c", False, dport, lport, True)
        s_sa = seen(pkts, "s", True, dport, lport, True)
        key = [(p["seq"], p["flags"], p["win"], p["opts"]) for p in c_syn]
        ksft_true(s_syn and all((p["seq"], p["flags"], p["win"], p["opts"])
                                in key for p in s_syn),
                  "%s: the server received the client's SYN as sent" % what,
                  {"client": c_syn, "server": s_syn})
        ksft_true(lport in blind, "%s: blind RST sent" % what)
        ksft_eq([], [p for p in pkts if p["tap"] == "s" and not p["out"] and
                     p["sport"] == lport and "R" in p["flags"] and
                     p["seq"] == blind.get(lport)],
                "%s: blind RSTs the server received" % what)
        ksft_true(c_sa and all("OPT19" in p["opts"] and
                               p["seq"] in [q["seq"] for q in s_sa]
                               for p in c_sa),
                  "%s: the client received only the server's signed "
                  "SYN-ACKs" % what, {"client": c_sa, "server": s_sa})


def check_ao(cns, sns, port, *hosts):
    port = int(port)
    # kind 29, length 16: KeyID, RNextKeyID, a 12-byte MAC (HMAC-SHA-1-96)
    ao = bytes([29, 16, 1, 1]) + os.urandom(12)
    cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
    time.sleep(0.05)
    sent = {}
    for h in hosts:
        sport = random.randint(20000, 60000)
        seq = random.getrandbits(32)
        opts = struct.pack("!BBH", 2, 4, 1460) + ao
        tx = raw_sender(cns, h)
        tx.sendto(build(src_addr(cns, h), h, sport, port, seq, 0, "SEC",
                        64240, opts), (h, 0))
        tx.close()
        sent[h] = (sport, seq)
    end = time.monotonic() + 3
    while time.monotonic() < end and not all(
            seen(cap.pkts, "s", False, sent[h][0], port, False)
            for h in hosts):
        time.sleep(0.05)
    # a SYN-ACK from the module would come at once: give it a moment
    time.sleep(0.5)
    pkts = cap.stop()
    for h in hosts:
        sport, seq = sent[h]
        s_syn = seen(pkts, "s", False, sport, port, False)
        c_sa = seen(pkts, "c", False, port, sport, True)
        ksft_true(s_syn and all(
            (p["seq"], p["flags"], p["win"], p["opts"]) ==
            (seq, "SEC", 64240, ["MSS", "OPT29"]) for p in s_syn),
            "%s: the server received the TCP-AO SYN as sent" % h, s_syn)
        ksft_eq([], c_sa, "%s: SYN-ACKs the client received" % h)
        ksft_pr("%s: server received %d SYN(s), client %d SYN-ACK(s)"
                % (h, len(s_syn), len(c_sa)))


def main(argv):
    return check_main(argv, __doc__, {"conns": check_conns, "ao": check_ao})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
