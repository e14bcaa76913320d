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

  optcheck.py tfo CLIENT_NS SERVER_NS PORT SYNDATA HOST...
        TCP Fast Open (RFC 7413; net.ipv4.tcp_fastopen=3 at both ends and
        the client's cookie cache flushed are the caller's). Per HOST: a
        plain connection to PORT+2 (the negative control), two to PORT,
        whose listener needs a cookie (the first asks for one), two to
        PORT+1, whose listener and client need none (TCP_FASTOPEN_NO_COOKIE).
        Each sends a request with MSG_FASTOPEN and shuts its side; the
        server reads to EOF, answers and closes. Asserts that the server
        read the request exactly once, the client the whole reply, that
        no RST crossed c0 or s0, and, with SYNDATA "yes", that every Fast
        Open connection but the cookie request had its SYN data accepted
        (TCPI_OPT_SYN_DATA at both ends), with "no" that none had.

  optcheck.py mptcp CLIENT_NS SERVER_NS PORT WANT HOST...
        Per HOST: an MPTCP connection (IPPROTO_MPTCP at both ends) to
        PORT that echoes 20 kB. Asserts the echo, that the server received
        the client's MP_CAPABLE SYN, and that the data segments on c0 and
        s0 carry MPTCP options (kind 30) if WANT is "mptcp", none if
        "tcp" (both ends fell back to plain TCP).

  optcheck.py unknown CLIENT_NS SERVER_NS PORT HOST...
        Per HOST: a raw SYN with an unknown option (kind 99) and an
        experimental one (kind 253, RFC 6994) to PORT, where nothing
        listens. Asserts that the server received it as sent and that the
        client's SYN-ACK is the module's (its ISN is none the server
        sent) and carries neither option.
"""

import os
import random
import socket
import struct
import sys
import time

from lib.py import TCPI_OPT_ECN, TCPI_OPT_SYN_DATA, check_main, errname, \
    ksft_eq, ksft_pr, ksft_true, md5_key, netns, recv_all, recv_exact, \
    tcpi_options
from lib.py.packet import Capture, build, raw_sender, src_addr, strip

TCP_FASTOPEN_NO_COOKIE = 34
IPPROTO_MPTCP = 262
PAYLOAD = os.urandom(20000)
TIMEOUT = 8


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


def raw_syns(cns, sns, port, flags, opts, arrived, settle, hosts):
    """One raw SYN with FLAGS and OPTS (after an MSS) from the client to
    each host's PORT, under a capture on both sides; returns the capture's
    packets once arrived(pkts, sport) holds for every host (at most 3 s)
    and SETTLE more seconds have passed, and {host: (sport, seq)}."""
    cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
    time.sleep(0.05)
    sent = {}
    for h in hosts:
        sport = random.randint(20000, 60000)
        seq = random.getrandbits(32)
        tx = raw_sender(cns, h)
        tx.sendto(build(src_addr(cns, h), h, sport, port, seq, 0, flags,
                        64240, struct.pack("!BBH", 2, 4, 1460) + opts),
                  (h, 0))
        tx.close()
        sent[h] = (sport, seq)
    end = time.monotonic() + 3
    while time.monotonic() < end and not all(
            arrived(cap.pkts, sent[h][0]) for h in hosts):
        time.sleep(0.05)
    time.sleep(settle)
    return cap.stop(), sent


def check_ao(cns, sns, port, *hosts):
    port = int(port)
    # kind 29, length 16: KeyID, RNextKeyID, a 12-byte MAC (HMAC-SHA-1-96)
    ao = bytes([29, 16, 1, 1]) + os.urandom(12)
    # a SYN-ACK from the module would come at once: give it a moment
    pkts, sent = raw_syns(
        cns, sns, port, "SEC", ao,
        lambda pkts, sport: seen(pkts, "s", False, sport, port, False),
        0.5, hosts)
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


def tfo_listen(ns, host, port, no_cookie):
    s = listen(ns, host, port)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
    if no_cookie:
        s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, 1)
    return s


def tfo_connect(cns, ls, host, port, no_cookie, fastopen=True):
    """One request/reply: (client port, error, request bytes the server
    read, reply bytes the client read, SYN data at client, at server)."""
    req = b"GET /%s HTTP/1.0\r\n\r\n" % os.urandom(8).hex().encode()
    reply = os.urandom(3000)
    with netns(cns):
        c = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                          socket.SOCK_STREAM)
    c.settimeout(TIMEOUT)
    lport, err, got_req, got_reply, cdata, sdata = None, None, b"", b"", \
        None, None
    a = None
    try:
        if no_cookie:
            c.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, 1)
        c.bind(("", 0))
        lport = c.getsockname()[1]
        if fastopen:
            # blocking: without a cookie it connects first (EINPROGRESS
            # otherwise), bounded by SO_SNDTIMEO
            c.setblocking(True)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                         struct.pack("ll", TIMEOUT, 0))
            c.sendto(req, socket.MSG_FASTOPEN, (host, port))
            c.settimeout(TIMEOUT)
        else:
            c.connect((host, port))
            c.sendall(req)
        c.shutdown(socket.SHUT_WR)
        a, _ = ls.accept()
        a.settimeout(TIMEOUT)
        got_req = recv_all(a)
        sdata = bool(tcpi_options(a) & TCPI_OPT_SYN_DATA)
        a.sendall(reply)
        a.close()
        a = None
        got_reply = recv_all(c)
        cdata = bool(tcpi_options(c) & TCPI_OPT_SYN_DATA)
    except OSError as e:
        err = errname(e) if e.errno or isinstance(e, socket.timeout) \
            else str(e)
    finally:
        c.close()
        if a:
            a.close()
    return lport, err, (got_req, req), (got_reply, reply), cdata, sdata


def check_tfo(cns, sns, port, syndata, *hosts):
    port = int(port)
    cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
    time.sleep(0.05)
    runs = []
    for h in hosts:
        plain = listen(sns, h, port + 2)
        cookie = tfo_listen(sns, h, port, False)
        free = tfo_listen(sns, h, port + 1, True)
        runs.append(("%s plain" % h, None,
                     tfo_connect(cns, plain, h, port + 2, False, False)))
        runs.append(("%s cookie request" % h, False,
                     tfo_connect(cns, cookie, h, port, False)))
        runs.append(("%s cookie" % h, syndata == "yes",
                     tfo_connect(cns, cookie, h, port, False)))
        for i in range(2):
            runs.append(("%s no cookie #%d" % (h, i + 1), syndata == "yes",
                         tfo_connect(cns, free, h, port + 1, True)))
        for s in (plain, cookie, free):
            s.close()
    pkts = cap.stop()
    for what, want, (lport, err, req, reply, cdata, sdata) in runs:
        what = "%s from port %s" % (what, lport)
        ksft_eq(None, err, "%s: request and reply" % what)
        ksft_true(req[0] == req[1],
                  "%s: the server read the request exactly once" % what,
                  req[0])
        ksft_true(reply[0] == reply[1],
                  "%s: the client read the whole reply" % what,
                  len(reply[0]))
        ksft_eq([], [strip(p) for p in pkts if "R" in p["flags"] and
                     lport in (p["sport"], p["dport"])],
                "%s: RSTs on c0 and s0" % what)
        if want is not None and not err:
            ksft_eq("%s %s" % (want, want), "%s %s" % (cdata, sdata),
                    "%s: SYN data accepted at the client and the server"
                    % what)


def check_mptcp(cns, sns, port, want, *hosts):
    port = int(port)
    cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
    time.sleep(0.05)
    runs = []
    for h in hosts:
        fam = socket.AF_INET6 if ":" in h else socket.AF_INET
        with netns(sns):
            ls = socket.socket(fam, socket.SOCK_STREAM, IPPROTO_MPTCP)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", port))
        ls.listen(4)
        ls.settimeout(TIMEOUT)
        with netns(cns):
            c = socket.socket(fam, socket.SOCK_STREAM, IPPROTO_MPTCP)
        c.settimeout(TIMEOUT)
        err, lport, a = None, None, None
        try:
            c.bind(("", 0))
            lport = c.getsockname()[1]
            c.connect((h, port))
            a, _ = ls.accept()
            a.settimeout(TIMEOUT)
            c.sendall(PAYLOAD)
            a.sendall(recv_exact(a, len(PAYLOAD)))
            if recv_exact(c, len(PAYLOAD)) != PAYLOAD:
                raise OSError("echo differs")
        except OSError as e:
            err = errname(e) if e.errno or isinstance(e, socket.timeout) \
                else str(e)
        finally:
            c.close()
            if a:
                a.close()
            ls.close()
        runs.append((h, lport, err))
    pkts = cap.stop()
    for h, lport, err in runs:
        what = "%s MPTCP connection from port %s" % (h, lport)
        ksft_eq(None, err, "%s: echo" % what)
        mine = [p for p in pkts if lport in (p["sport"], p["dport"])]
        ksft_true([p for p in mine if p["tap"] == "s" and not p["out"] and
                   "S" in p["flags"] and "A" not in p["flags"] and
                   "OPT30" in p["opts"]],
                  "%s: the server received an MP_CAPABLE SYN" % what)
        for tap in ("c", "s"):
            data = [p for p in mine if p["tap"] == tap and p["len"] > 0]
            ksft_eq((True, want == "mptcp"),
                    (bool(data), any("OPT30" in p["opts"] for p in data)),
                    "%s: data segments on %s0, with MPTCP options" %
                    (what, tap))


def check_unknown(cns, sns, port, *hosts):
    port = int(port)
    # kind 99 (unassigned), kind 253 with an RFC 6994 ExID
    unknown = bytes([99, 6, 1, 2, 3, 4, 253, 4, 0x12, 0x34])
    pkts, sent = raw_syns(
        cns, sns, port, "S", unknown,
        lambda pkts, sport: (seen(pkts, "s", False, sport, port, False) and
                             seen(pkts, "c", False, port, sport, True)),
        0, hosts)
    for h in hosts:
        sport, seq = sent[h]
        s_syn = seen(pkts, "s", False, sport, port, False)
        c_sa = seen(pkts, "c", False, port, sport, True)
        s_sa = seen(pkts, "s", True, port, sport, True)
        ksft_true(s_syn and all(
            (p["seq"], p["flags"], p["win"], p["opts"]) ==
            (seq, "S", 64240, ["MSS", "OPT99", "OPT253", "NOP", "NOP"])
            for p in s_syn),
            "%s: the server received the SYN with its options as sent" % h,
            [strip(p) for p in s_syn])
        ksft_true(c_sa and all(
            p["ack"] == (seq + 1) & 0xffffffff and
            p["seq"] not in [q["seq"] for q in s_sa] and
            "OPT99" not in p["opts"] and "OPT253" not in p["opts"]
            for p in c_sa),
            "%s: the client's SYN-ACK is the module's, without the "
            "unknown options" % h, [strip(p) for p in c_sa])


def main(argv):
    return check_main(argv, __doc__, {"conns": check_conns, "ao": check_ao,
                                      "tfo": check_tfo, "mptcp": check_mptcp,
                                      "unknown": check_unknown})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
