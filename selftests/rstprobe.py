#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Resets and challenge ACKs through the router, for selftests/rst.sh.

Stdlib only (lib/py: packet builds, sends and parses the packets, netns
opens sockets in the test namespaces), one process per command,
both ends of every connection in this process. Prints one JSON object.

  rstprobe.py recipe CLIENT_NS SERVER_NS ROUTER_NS CTL PORT LPORT FLUSH
                     SETTLE TIMEOUT HOST...
        RFC 5961 section 4 as a client that lost its state meets it: per
        HOST a connection from local port LPORT (SO_REUSEADDR) that echoes
        a line; the server keeps it open. Then the client "loses state":
        an nft output rule in CLIENT_NS drops its RSTs, the sockets close
        with SO_LINGER {1, 0}, the rule goes; with FLUSH=1 the router's
        conntrack table is flushed. After SETTLE seconds every HOST is
        reconnected from the same port at once (connect timeout TIMEOUT s)
        and echoes a line. c0 and s0 are captured meanwhile. Per HOST:
        {"connect": "ok"|ERRNO, "ms", "echo_ok", "syns" (client SYNs on
        c0), "challenge_acks" (bare ACKs from the server before any
        SYN-ACK, on c0), "rsts_out" (client RSTs on c0), "rsts_crossed"
        (client RSTs on s0), "old_server" (what the server's old socket
        saw: ECONNRESET, "open", ...)}; "stats": counter deltas of the
        router (CTL -j show stats) over the reconnect.

  rstprobe.py crafted CLIENT_NS SERVER_NS ROUTER_NS CTL PORT HOST...
        Segment by segment, per HOST, each step on a fresh established
        connection (real sockets at both ends; their sequence numbers are
        read off the capture on c0): blind resets below and above the
        window from the client, one from the server, an in-window inexact
        RST, an exact one, and the challenge flow (crafted SYN on the live
        tuple, the server's challenge ACK, a crafted RST at its ack
        number) with challenge-ack allow and strict. Per HOST and step:
        what crossed the router (captures on c0 and s0), what the sockets
        saw, whether the router's conntrack entry is left, counter deltas.

  rstprobe.py blind CLIENT_NS SERVER_NS PORT NCLIENT NSERVER LIMIT HOST...
        One echoing connection per HOST argument (repeat a HOST for more),
        then NCLIENT RSTs with random sequence numbers on the connections'
        client-to-server tuples, sent from CLIENT_NS, and NSERVER on the
        server-to-client tuples, sent from SERVER_NS, interleaved,
        round-robin over the connections, from one raw socket per family
        and side; sending stops after LIMIT seconds. Then every connection
        echoes a line again. {"conns", "echo_before", "echo_after",
        "sent_client", "sent_server", "send_errors", "secs", "rate"}.

  rstprobe.py overshoot CLIENT_NS SERVER_NS ROUTER_NS CTL PORT N HOST...
        One echoing connection per HOST argument; both sides' sequence
        numbers and windows are read off captures on c0 and s0. Then N
        RSTs per connection, from its client for the 1st, 3rd ...
        connection, from its server for the others, each between one and
        a half and two windows past what its receiver expects: resets that
        conntrack takes for a sender overshooting the window. Then every
        connection echoes twice. Per HOST: {"conns", "echo" (connections
        that echoed twice), "rst_in_c0", "rst_in_s0" (RSTs that reached an
        end), "server_open"}; "sent", "stats" (the router's counter deltas
        over the RSTs and the echoes), "windows".
"""

import errno
import random
import socket
import struct
import subprocess
import sys
import threading
import time

from lib.py import EchoServer, ctl_stats, errname, fam_of, json_main, \
    linger0, netns, peer_key, recv_exact
from lib.py.packet import Capture, build, raw_sender

FAM = {False: socket.AF_INET, True: socket.AF_INET6}


def wait_status(st, want_not="open", timeout=3.0):
    end = time.monotonic() + timeout
    while st["status"] == want_not and time.monotonic() < end:
        time.sleep(0.01)
    return st["status"]


def echo_line(s, msg, timeout=5.0):
    """True when msg comes back on s within timeout."""
    try:
        s.settimeout(timeout)
        s.sendall(msg)
        return recv_exact(s, len(msg)) == msg
    except OSError:
        return False


def connect_from(ns, host, port, lport, timeout):
    with netns(ns):
        s = socket.socket(fam_of(host), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if ":" in host:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if ":" in host else "0.0.0.0", lport))
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def run(*cmd, stdin=None):
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def delta(a, b):
    return {k: b[k] - a.get(k, 0) for k in b if b[k] != a.get(k, 0)}


def trace(pk, t_from=0.0):
    """A compact line: tap, direction and flags (+length) of each packet."""
    return " ".join("%s%s%s%s" % (p["tap"], ">" if p["out"] else "<",
                                  p["flags"],
                                  "+%d" % p["len"] if p["len"] else "")
                    for p in pk if p["t"] >= t_from)


# ---------------------------------------------------------------- recipe

LOSE_TABLE = "rstprobe_lose"


def cmd_recipe(cns, sns, rns, ctl, port, lport, flush, settle, timeout, hosts):
    srv = EchoServer(sns, port)
    out = {}
    old = {}
    src = {}
    for h in hosts:
        s = connect_from(cns, h, port, lport, 10)
        if not echo_line(s, b"first\n"):
            raise OSError("%s: the first connection does not echo" % h)
        old[h] = s
        src[h] = s.getsockname()[0]
    # state loss: the client's RSTs never leave it
    rc, msg = run("ip", "netns", "exec", cns, "nft", "-f", "-", stdin="""
table inet %s {
    chain out {
        type filter hook output priority 0; policy accept;
        tcp dport %d tcp flags & rst == rst counter drop
    }
}
""" % (LOSE_TABLE, port))
    if rc:
        raise OSError("nft: %s" % msg)
    for s in old.values():
        linger0(s)
        s.close()
    rc, listing = run("ip", "netns", "exec", cns, "nft", "list", "table",
                      "inet", LOSE_TABLE)
    cmds = ["ip netns exec %s nft delete table inet %s" % (cns, LOSE_TABLE)]
    if flush:
        cmds.append("ip netns exec %s conntrack -F" % rns)
    run("sh", "-c", "; ".join(cmds))
    out["lost_rsts"] = int(listing.split("counter packets ")[1].split()[0]) \
        if "counter packets " in listing else -1
    time.sleep(settle)

    st0 = ctl_stats(rns, path=ctl)
    cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
    time.sleep(0.05)
    t_rec = time.monotonic() - cap.t0
    res = {h: {} for h in hosts}
    socks = {}

    def reconnect(h):
        r = res[h]
        t0 = time.monotonic()
        try:
            s = connect_from(cns, h, port, lport, timeout)
            r["connect"] = "ok"
            r["ms"] = int((time.monotonic() - t0) * 1000)
            socks[h] = s
            r["echo_ok"] = echo_line(s, b"again\n")
        except OSError as e:
            r["connect"] = errname(e)
            r["ms"] = int((time.monotonic() - t0) * 1000)
            r["echo_ok"] = False
    ths = [threading.Thread(target=reconnect, args=(h,)) for h in hosts]
    for t in ths:
        t.start()
    for t in ths:
        t.join(timeout + 10)
    # the last challenge ACK and RST of a failed connect cross meanwhile
    time.sleep(0.5)
    pk = cap.stop()
    st1 = ctl_stats(rns, path=ctl)
    for h in hosts:
        r = res[h]
        mine = [p for p in pk if p["t"] >= t_rec and
                {p["src"], p["dst"]} & {h} and
                port in (p["sport"], p["dport"]) and
                lport in (p["sport"], p["dport"])]
        c_out = [p for p in mine if p["tap"] == "c" and p["out"]]
        c_in = [p for p in mine if p["tap"] == "c" and not p["out"]]
        s_in = [p for p in mine if p["tap"] == "s" and not p["out"]]
        r["syns"] = sum(1 for p in c_out if p["flags"] == "S")
        # in arrival order (times are rounded): bare ACKs before the SYN-ACK
        r["challenge_acks"] = 0
        for p in c_in:
            if p["flags"] == "SA":
                break
            r["challenge_acks"] += p["flags"] == "A" and p["len"] == 0
        r["rsts_out"] = sum(1 for p in c_out if "R" in p["flags"])
        r["rsts_crossed"] = sum(1 for p in s_in if "R" in p["flags"])
        r["trace"] = trace(mine)
        st = srv.wait_conn(peer_key((src[h], lport)), 1, 0)
        r["old_server"] = st["status"] if st else "none"
        st = srv.wait_conn(peer_key((src[h], lport)), 2, 0)
        r["new_server"] = st["status"] if st else "none"
        out[h] = r
    out["stats"] = delta(st0, st1)
    for s in socks.values():
        s.close()
    srv.close()
    return out


# ---------------------------------------------------------------- crafted

class Conn:
    """One established connection with both ends in this process."""

    def __init__(self, cns, srv, host, port):
        self.host = host
        self.port = port
        with netns(cns):
            self.c = socket.socket(fam_of(host), socket.SOCK_STREAM)
        self.c.settimeout(10)
        self.c.connect((host, port))
        self.src, self.lport = self.c.getsockname()[:2]
        self.srv = srv.wait_conn(peer_key((self.src, self.lport)))
        if not self.srv or not echo_line(self.c, b"hello\n"):
            raise OSError("%s: no echo on a new connection" % host)

    def tuple_pkts(self, pk):
        return [p for p in pk if self.lport in (p["sport"], p["dport"]) and
                self.port in (p["sport"], p["dport"]) and
                self.host in (p["src"], p["dst"])]


def cmd_crafted(cns, sns, rns, ctl, port, hosts):
    srv = EchoServer(sns, port)
    txc = {h: raw_sender(cns, h) for h in hosts}
    txs = {h: raw_sender(sns, h) for h in hosts}
    out = {}

    def ct_entry(cn):
        rc, o = run("ip", "netns", "exec", rns, "conntrack", "-L", "-p", "tcp",
                    "--orig-src", cn.src, "--orig-dst", cn.host,
                    "--sport", str(cn.lport), "--dport", str(port))
        lines = [ln for ln in o.splitlines() if ln.startswith("tcp")]
        return lines[0].split()[3] if lines else "none"

    def step(h, name, action):
        """Fresh connection; learn its sequence numbers from c0; run
        action(conn, seqs, cap) -> dict; add what crossed and the deltas."""
        cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
        time.sleep(0.05)
        cn = Conn(cns, srv, h, port)
        time.sleep(0.3)     # the client's ACK of the echo is out
        mine = cn.tuple_pkts(list(cap.pkts))
        c_out = [p for p in mine if p["tap"] == "c" and p["out"]]
        last = c_out[-1]
        seqs = {"snd_nxt": (last["seq"] + last["len"]) & 0xffffffff,
                "rcv_nxt": last["ack"]}
        t_act = time.monotonic() - cap.t0
        st0 = ctl_stats(rns, path=ctl)
        r = action(cn, seqs, cap)
        time.sleep(0.3)
        st1 = ctl_stats(rns, path=ctl)
        pk = [p for p in cn.tuple_pkts(cap.stop()) if p["t"] >= t_act]
        r["seqs"] = seqs
        r["c0_out_rst"] = sum(1 for p in pk if p["tap"] == "c" and p["out"]
                              and "R" in p["flags"])
        r["s0_in_rst"] = sum(1 for p in pk if p["tap"] == "s" and not p["out"]
                             and "R" in p["flags"])
        r["s0_out_rst"] = sum(1 for p in pk if p["tap"] == "s" and p["out"]
                              and "R" in p["flags"])
        r["c0_in_rst"] = sum(1 for p in pk if p["tap"] == "c" and not p["out"]
                             and "R" in p["flags"])
        r["s0_in_syn"] = sum(1 for p in pk if p["tap"] == "s" and not p["out"]
                             and p["flags"] == "S")
        # bare ACKs from the server before the action's echo: challenges
        r["c0_in_bare_ack"] = [p["ack"] for p in pk if p["tap"] == "c" and
                               not p["out"] and p["flags"] == "A" and
                               p["len"] == 0 and p["t"] < r.pop("t_echo", 1e9)]
        r["stats"] = delta(st0, st1)
        r["trace"] = trace(pk)
        r["server"] = cn.srv["status"]
        try:
            cn.c.close()
        except OSError:
            pass
        out.setdefault(h, {})[name] = r

    def client_rst(cn, seq):
        txc[cn.host].sendto(build(cn.src, cn.host, cn.lport, port, seq, 0,
                                  "R", 0), (cn.host, 0))

    def after(cn, cap, r):
        """Give the RST time to arrive; then does the connection echo?"""
        time.sleep(0.3)
        r["t_echo"] = time.monotonic() - cap.t0
        r["echo_after"] = echo_line(cn.c, b"still there\n")
        return r

    def blind(off):
        def act(cn, seqs, cap):
            client_rst(cn, (seqs["snd_nxt"] + off) & 0xffffffff)
            return after(cn, cap, {})
        return act

    def blind_srv(cn, seqs, cap):
        txs[cn.host].sendto(build(cn.host, cn.src, port, cn.lport,
                                  (seqs["rcv_nxt"] - 100000) & 0xffffffff, 0,
                                  "R", 0), (cn.src, 0))
        return after(cn, cap, {})

    def exact(cn, seqs, cap):
        client_rst(cn, seqs["snd_nxt"])
        r = {"server": wait_status(cn.srv)}
        r["ct"] = ct_entry(cn)
        return r

    def challenge(strict):
        def act(cn, seqs, cap):
            r = {}
            st0 = ctl_stats(rns, path=ctl)
            t_syn = time.monotonic() - cap.t0
            txc[cn.host].sendto(build(cn.src, cn.host, cn.lport, port,
                                      random.getrandbits(32), 0, "S", 64240,
                                      struct.pack("!BBH", 2, 4, 1460)),
                                (cn.host, 0))
            # the server's challenge ACK reaches the client
            end = time.monotonic() + 3
            ch = []
            while not ch and time.monotonic() < end:
                time.sleep(0.02)
                ch = [p for p in cn.tuple_pkts(list(cap.pkts))
                      if p["tap"] == "c" and not p["out"] and
                      p["flags"] == "A" and p["len"] == 0 and
                      p["t"] > t_syn]
            r["challenge_ack"] = ch[0]["ack"] if ch else None
            if ch:
                client_rst(cn, ch[0]["ack"])
            if strict:
                time.sleep(0.3)
                r["t_echo"] = time.monotonic() - cap.t0
                r["rst_crossed"] = sum(
                    1 for p in cn.tuple_pkts(list(cap.pkts))
                    if p["tap"] == "s" and not p["out"] and
                    "R" in p["flags"] and p["t"] > t_syn)
                r["ct"] = ct_entry(cn)
                r["stats_mid"] = delta(st0, ctl_stats(rns, path=ctl))
                r["echo_after"] = echo_line(cn.c, b"still there\n")
                time.sleep(0.2)
                r["stats_echo"] = delta(st0, ctl_stats(rns, path=ctl))
                r["ct_echo"] = ct_entry(cn)
                # the client gives up the connection itself: an exact RST
                linger0(cn.c)
                cn.c.close()
                r["abort_server"] = wait_status(cn.srv)
            else:
                wait_status(cn.srv)
                r["ct"] = ct_entry(cn)
            return r
        return act

    for h in hosts:
        step(h, "below", blind(-100000))
        step(h, "above", blind(0x40000000))
        step(h, "server", blind_srv)
        step(h, "inwindow", blind(1000))
        step(h, "exact", exact)
        step(h, "challenge_allow", challenge(False))
        run(ctl, "-n", rns, "set", "challenge-ack", "strict")
        try:
            step(h, "challenge_strict", challenge(True))
        finally:
            run(ctl, "-n", rns, "set", "challenge-ack", "allow")
    srv.close()
    return out


# ---------------------------------------------------------------- blind

class Rst:
    """RSTs on one tuple with any sequence number: the checksum is patched
    from a precomputed partial sum, so no per-packet checksumming."""

    def __init__(self, src, dst, sport, dport):
        self.pkt = bytearray(build(src, dst, sport, dport, 0, 0, "R", 0))
        self.off = 40 if ":" in dst else 20
        ck = struct.unpack_from("!H", self.pkt, self.off + 16)[0]
        self.base = ~ck & 0xffff
        self.dst = (dst, 0)

    def send(self, sock, seq):
        v = self.base + (seq >> 16) + (seq & 0xffff)
        v = (v & 0xffff) + (v >> 16)
        v = (v & 0xffff) + (v >> 16)
        struct.pack_into("!IIBBHH", self.pkt, self.off + 4, seq, 0, 5 << 4,
                         0x04, 0, ~v & 0xffff)
        sock.sendto(self.pkt, self.dst)


def cmd_blind(cns, sns, port, ncli, nsrv, limit, hosts):
    srv = EchoServer(sns, port)
    conns = []
    out = {"errors": []}
    for i, h in enumerate(hosts):
        try:
            conns.append(Conn(cns, srv, h, port))
        except OSError as e:
            out["errors"].append("connect %d %s: %s" % (i, h, errname(e)))
    out["conns"] = len(conns)
    out["echo_before"] = sum(echo_line(cn.c, b"before %d\n" % i)
                             for i, cn in enumerate(conns))
    tx = {}
    for side, ns in (("c", cns), ("s", sns)):
        for v6 in (False, True):
            with netns(ns):
                s = socket.socket(FAM[v6], socket.SOCK_RAW,
                                  socket.IPPROTO_RAW)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            tx[side, v6] = s
    jobs = []
    for cn in conns:
        v6 = ":" in cn.host
        jobs.append((tx["c", v6], Rst(cn.src, cn.host, cn.lport, port)))
        jobs.append((tx["s", v6], Rst(cn.host, cn.src, port, cn.lport)))
    sent = {"c": 0, "s": 0}
    errs = 0
    rnd = random.Random(5961)
    total = ncli + nsrv
    k = len(conns)
    t0 = time.monotonic()
    for n in range(total):
        # the server side's share spread evenly among the client side's
        side = "s" if (n * nsrv) // total != ((n + 1) * nsrv) // total \
            else "c"
        sock, rst = jobs[2 * (sent[side] % k) + (side == "s")]
        try:
            rst.send(sock, rnd.getrandbits(32))
            sent[side] += 1
        except OSError as e:
            if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
            errs += 1
        if not n & 1023 and time.monotonic() - t0 > limit:
            out["errors"].append("sending cut off after %d s" % limit)
            break
    secs = time.monotonic() - t0
    out.update(sent_client=sent["c"], sent_server=sent["s"],
               send_errors=errs, secs=round(secs, 2),
               rate=int((sent["c"] + sent["s"]) / secs) if secs else 0)
    time.sleep(0.5)
    ok = 0
    for i, cn in enumerate(conns):
        if echo_line(cn.c, b"after %d\n" % i):
            ok += 1
        else:
            out["errors"].append("conn %d %s:%d no echo after, server %s"
                                 % (i, cn.host, cn.lport, cn.srv["status"]))
    out["echo_after"] = ok
    out["server_resets"] = sum(1 for cn in conns
                               if cn.srv["status"] != "open")
    for cn in conns:
        cn.c.close()
    srv.close(abort=False)
    out["errors"] = out["errors"][:10]
    return out


# ---------------------------------------------------------------- overshoot

def cmd_overshoot(cns, sns, rns, ctl, port, nrst, hosts):
    srv = EchoServer(sns, port)
    cap = Capture({"c": (cns, "c0"), "s": (sns, "s0")})
    time.sleep(0.05)
    conns = [Conn(cns, srv, h, port) for h in hosts]
    time.sleep(0.3)     # the client's ACKs of the echoes are out
    pk = list(cap.pkts)
    tx = {(side, v6): raw_sender(ns, "::1" if v6 else "127.0.0.1")
          for side, ns in (("c", cns), ("s", sns)) for v6 in (False, True)}
    jobs = []
    out = {"windows": {}}
    for cn in conns:
        mine = cn.tuple_pkts(pk)
        c_out = [p for p in mine if p["tap"] == "c" and p["out"]]
        s_out = [p for p in mine if p["tap"] == "s" and p["out"]]
        # each side's next sequence number, in its own terms (the server's
        # as it sent them, before the router's translation), and its
        # receive window as conntrack scales it (the SYN's and SYN-ACK's
        # window scales, as both ends sent them)
        ws = {k: [p.get("ws") or 0 for p in lst if p["flags"] in ("S", "SA")]
              for k, lst in (("c", c_out), ("s", s_out))}
        nxt = {k: (lst[-1]["seq"] + lst[-1]["len"]) & 0xffffffff
               for k, lst in (("c", c_out), ("s", s_out))}
        win = {k: lst[-1]["win"] << (ws[k][0] if ws[k] else 0)
               for k, lst in (("c", c_out), ("s", s_out))}
        v6 = ":" in cn.host
        # one side per connection, alternately: from the client, above
        # the server's window, or the other way (when both sides' ends
        # moved, conntrack ignores every segment alike and lets them by)
        if len(jobs) % 2 == 0:
            jobs.append((tx["c", v6], Rst(cn.src, cn.host, cn.lport, port),
                         nxt["c"], win["s"]))
        else:
            jobs.append((tx["s", v6], Rst(cn.host, cn.src, port, cn.lport),
                         nxt["s"], win["c"]))
        out["windows"]["%s:%d" % (cn.host, cn.lport)] = [win["s"], win["c"]]
    st0 = ctl_stats(rns, path=ctl)
    t_act = time.monotonic() - cap.t0
    rnd = random.Random(5961)
    for _ in range(nrst):
        for sock, rst, nxt, w in jobs:
            # between one and a half and two windows past the receiver's
            # next sequence number: outside the window, and within the
            # overshoot conntrack forgives a sender
            rst.send(sock, (nxt + w + w // 2 + rnd.randrange(w // 4 or 1))
                     & 0xffffffff)
    time.sleep(0.3)
    res = {}
    for i, cn in enumerate(conns):
        r = res.setdefault(cn.host, {"conns": 0, "echo": 0})
        r["conns"] += 1
        # the second echo carries the acknowledgment of the first
        r["echo"] += echo_line(cn.c, b"over %d\n" % i, timeout=3.0) and \
            echo_line(cn.c, b"again %d\n" % i, timeout=3.0)
    time.sleep(0.3)
    out["stats"] = delta(st0, ctl_stats(rns, path=ctl))
    pk = [p for p in cap.stop() if p["t"] >= t_act and "R" in p["flags"]
          and not p["out"]]
    for cn in conns:
        r = res[cn.host]
        mine = cn.tuple_pkts(pk)
        r["rst_in_c0"] = r.get("rst_in_c0", 0) + sum(p["tap"] == "c"
                                                     for p in mine)
        r["rst_in_s0"] = r.get("rst_in_s0", 0) + sum(p["tap"] == "s"
                                                     for p in mine)
        r["server_open"] = r.get("server_open", 0) + \
            (cn.srv["status"] == "open")
        cn.c.close()
    srv.close()
    out["sent"] = nrst * len(jobs)
    out["hosts"] = res
    return out

def main(argv):
    return json_main(argv, __doc__, {
        "recipe": lambda a: cmd_recipe(a[0], a[1], a[2], a[3], int(a[4]),
                                       int(a[5]), a[6] == "1", float(a[7]),
                                       float(a[8]), a[9:]),
        "crafted": lambda a: cmd_crafted(a[0], a[1], a[2], a[3], int(a[4]),
                                         a[5:]),
        "blind": lambda a: cmd_blind(a[0], a[1], int(a[2]), int(a[3]),
                                     int(a[4]), float(a[5]), a[6:]),
        "overshoot": lambda a: cmd_overshoot(a[0], a[1], a[2], a[3],
                                             int(a[4]), int(a[5]), a[6:]),
    })


if __name__ == "__main__":
    sys.exit(main(sys.argv))
