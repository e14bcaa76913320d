#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The cases of selftests/payload.sh, in one process: the servers run in
the server's namespace and the clients in the client's, from threads of
this process; each case compares the router's per-link counters (nft) and
the module's counters before and after it.

  payload_check.py all CLIENT ROUTER SERVER CERT KEY EVENTS

CERT and KEY: the TLS server's; EVENTS: the router's "monitor -j" file.
See payload.sh for the topology, the rules and what each case asserts.
"""

import json
import socket
import ssl
import subprocess
import sys
import threading
import time

from lib.py import check_main, ksft_eq, ksft_ge, ksft_pr, ksft_true
from lib.py.ctl import CTL, ctl, ctl_stats
from lib.py.events import ev_filter, read_events
from lib.py.netns import netns
from lib.py.sockets import errname, listener, recv_exact, serve_forever

SERVER = "10.0.2.2"
SERVER6 = "fd00:2::2"
TLS_PORT, HTTP_PORT, BANNER_PORT, ECHO_PORT = 443, 80, 2121, 8080
LINKS = ("r1", "r2")  # link A (mark 1, and the main table), link B (mark 2)
PORTS = (TLS_PORT, HTTP_PORT, BANNER_PORT)
INSPECT_TIMEOUT = 1.0  # payload.sh's inspect-timeout, in seconds


def link_counts(router):
    """{(link, port, "syn"|"all"): packets} from the router's nft table."""
    out = subprocess.run(["ip", "netns", "exec", router, "nft", "-j", "list",
                          "counters", "table", "netdev", "links"],
                         capture_output=True, text=True, check=True).stdout
    got = {}
    for o in json.loads(out)["nftables"]:
        c = o.get("counter")
        if not c:
            continue
        link, port, what = c["name"].split("_")
        got[(link, int(port), what)] = c["packets"]
    return got


def moved(before, after):
    return {k: after[k] - before.get(k, 0) for k in after
            if after[k] != before.get(k, 0)}


class Servers:
    """TLS echo on 443, an HTTP responder on 80 that names the Host it got,
    a banner on 2121 (the server speaks first); accepted peers' ports are
    remembered with what they got."""

    def __init__(self, ns, cert, key):
        self.seen = {}
        self.lock = threading.Lock()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.ctx.sni_callback = self.sni
        self.socks = [listener(ns, p) for p in PORTS]
        for s, h in zip(self.socks, (self.tls, self.http, self.banner)):
            serve_forever(s, h)

    @staticmethod
    def sni(sock, name, ctx):
        sock.sni_seen = name

    def note(self, port, what):
        with self.lock:
            self.seen[port] = what

    def tls(self, c):
        c.settimeout(10)
        port = c.getpeername()[1]
        try:
            t = self.ctx.wrap_socket(c, server_side=True)
            data = t.recv(100)
            t.sendall(data)
            self.note(port, "tls:" + (getattr(t, "sni_seen", None) or ""))
            t.close()
        except OSError as e:
            self.note(port, "tls-" + errname(e))
        finally:
            c.close()

    def http(self, c):
        c.settimeout(10)
        port = c.getpeername()[1]
        try:
            req = c.recv(4096).decode("latin-1")
            host = [ln.split(":", 1)[1].strip() for ln in req.split("\r\n")
                    if ln.lower().startswith("host:")]
            body = ("served " + (host[0] if host else "-")).encode()
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                      b"Connection: close\r\n\r\n%s" % (len(body), body))
            self.note(port, "http:" + (host[0] if host else ""))
        except OSError as e:
            self.note(port, "http-" + errname(e))
        finally:
            c.close()

    def banner(self, c):
        c.settimeout(10)
        port = c.getpeername()[1]
        try:
            c.sendall(b"220 ready\r\n")
            self.note(port, "banner:" + repr(c.recv(100)))
        except OSError as e:
            self.note(port, "banner-" + errname(e))
        finally:
            c.close()


def connect(ns, port, addr=SERVER):
    with netns(ns):
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET,
                          socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect((addr, port))
    return s


def tls_client(ns, name, split=1, addr=SERVER, held=None):
    """A TLS handshake naming name, its ClientHello sent in split segments,
    then (held: held(source port) runs first, the connection open) an echo:
    "ok", or what failed; and the source port."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = connect(ns, TLS_PORT, addr)
    sport = s.getsockname()[1]
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    t = ctx.wrap_bio(inb, outb, server_hostname=name)
    first = True
    try:
        while True:
            try:
                t.do_handshake()
                done = True
            except ssl.SSLWantReadError:
                done = False
            out = outb.read()
            if first and out:
                # The ClientHello, in split segments a moment apart.
                step = -(-len(out) // split)
                for i in range(0, len(out), step):
                    s.sendall(out[i:i + step])
                    if split > 1:
                        time.sleep(0.2)
                first = False
            elif out:
                s.sendall(out)
            if done:
                break
            d = s.recv(65536)
            if not d:
                return "eof", sport
            inb.write(d)
        if held:
            held(sport)
        t.write(b"hello\n")
        s.sendall(outb.read())
        got = b""
        while len(got) < 6:
            try:
                got += t.read(100)
            except ssl.SSLWantReadError:
                d = s.recv(65536)
                if not d:
                    break
                inb.write(d)
        return ("ok" if got == b"hello\n" else "echo %r" % got), sport
    except (OSError, ssl.SSLError) as e:
        return errname(e), sport
    finally:
        s.close()


def http_client(ns, host, addr=SERVER):
    """A GET naming host: (status line, body, source port)."""
    s = connect(ns, HTTP_PORT, addr)
    sport = s.getsockname()[1]
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: t\r\n\r\n"
                  % host.encode())
        buf = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except OSError as e:
        return errname(e), b"", sport
    finally:
        s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body, sport


def step(name, router, fn):
    """Run fn(), return (its result, link counter moves, stat moves)."""
    lb, sb = link_counts(router), ctl_stats(ns=router)
    r = fn()
    time.sleep(0.3)  # the last FINs and ACKs
    la, sa = link_counts(router), ctl_stats(ns=router)
    lm, sm = moved(lb, la), moved(sb, sa)
    ksft_pr("%s: links %s stats %s" % (name, sorted(lm.items()),
                                        sorted(sm.items())))
    return r, lm, sm


def only_link(name, lm, port, link, syns):
    """Every packet to port went out of link: syns SYNs, none elsewhere."""
    other = LINKS[1 - LINKS.index(link)]
    ksft_eq(syns, lm.get((link, port, "syn"), 0),
            "%s: SYNs to %d out of %s" % (name, port, link))
    ksft_eq(0, lm.get((other, port, "all"), 0),
            "%s: packets to %d out of %s" % (name, port, other))


def conn_of(rns, sport):
    """show conns -j's entries of the connection from sport, and the
    text line naming that port."""
    mine = [c for c in ctl("show", "conns", ns=rns) or []
            if c.get("sport") == sport]
    out = subprocess.run([CTL, "-n", rns, "show", "conns", "sport",
                          str(sport)], capture_output=True, text=True).stdout
    return mine, out.splitlines()


def held_named(rns, tag, name, path):
    """A held(sport) for tls_client: show conns has the connection, spliced,
    with name and path, in JSON and in the text table."""
    def check(sport):
        mine, lines = conn_of(rns, sport)
        ksft_eq([(name, path, "spliced")],
                [(c.get("server_name"), c.get("path"), c.get("state"))
                 for c in mine],
                "%s: show conns -j: the server name and the path" % tag)
        ksft_true(len(lines) == 2 and lines[0].split()[-2:] ==
                  ["PATH", "SERVER-NAME"] and
                  lines[1].split()[-2:] == [str(path), name],
                  "%s: show conns: PATH and SERVER-NAME columns" % tag,
                  seen=lines)
    return check


def all_cases(cns, rns, sns, cert, key, events):
    srv = Servers(sns, cert, key)
    start = sum(1 for _ in open(events))

    # 1. The field note: a payload rule above a plain path rule. Each
    # connection's whole handshake goes out of the one link decided.
    n = 3
    r, lm, sm = step("sni direct", rns,
                     lambda: [tls_client(cns, "direct.example")
                              for _ in range(n)])
    ksft_eq(["ok"] * n, [x[0] for x in r], "sni direct.example: TLS works")
    only_link("sni direct", lm, TLS_PORT, "r1", n)
    ksft_eq(n, sm.get("payload_decided", 0), "sni direct: payload_decided")
    ksft_eq(n, sm.get("server_open_ok", 0), "sni direct: server_open_ok")
    direct = [x[1] for x in r]

    r, lm, sm = step("sni other", rns,
                     lambda: [tls_client(cns, "other.example")
                              for _ in range(n)])
    ksft_eq(["ok"] * n, [x[0] for x in r],
            "sni other.example: TLS works on the plain rule's path")
    only_link("sni other", lm, TLS_PORT, "r2", n)
    other = [x[1] for x in r]

    # 2. A ClientHello in three segments.
    r, lm, sm = step("sni split", rns,
                     lambda: tls_client(cns, "direct.example", split=3))
    ksft_eq("ok", r[0], "ClientHello over three segments: TLS works")
    only_link("sni split", lm, TLS_PORT, "r1", 1)

    # 3. Blocked by SNI: a reset, and the server never sees it.
    r, lm, sm = step("sni blocked", rns,
                     lambda: tls_client(cns, "www.blocked.example"))
    ksft_true(r[0] in ("ECONNRESET", "eof"), "sni blocked: reset",
              seen=r[0])
    ksft_eq(0, lm.get(("r1", TLS_PORT, "all"), 0) +
            lm.get(("r2", TLS_PORT, "all"), 0),
            "sni blocked: nothing to the server")
    ksft_eq(1, sm.get("blocked_reset_sent", 0), "sni blocked: reset sent")

    # 4. HTTP by Host: the path, and the block page.
    r, lm, sm = step("host direct", rns,
                     lambda: http_client(cns, "Direct.Example:80"))
    ksft_eq("HTTP/1.1 200 OK", r[0], "host direct: status")
    ksft_eq(b"served Direct.Example:80", r[1], "host direct: body")
    only_link("host direct", lm, HTTP_PORT, "r1", 1)
    r, lm, sm = step("host other", rns,
                     lambda: http_client(cns, "other.example"))
    ksft_eq("HTTP/1.1 200 OK", r[0], "host other: status")
    only_link("host other", lm, HTTP_PORT, "r2", 1)
    r, lm, sm = step("host blocked", rns,
                     lambda: http_client(cns, "blocked.example"))
    ksft_eq("HTTP/1.1 403 Forbidden", r[0], "host blocked: the block page")
    ksft_eq(0, lm.get(("r1", HTTP_PORT, "all"), 0) +
            lm.get(("r2", HTTP_PORT, "all"), 0),
            "host blocked: nothing to the server")
    ksft_eq(1, sm.get("blocked_page_sent", 0), "host blocked: page sent")

    # 5. The server speaks first: after inspect-timeout, the plain rule.
    def banner():
        s = connect(cns, BANNER_PORT)
        t0 = time.monotonic()
        try:
            got = recv_exact(s, 11)
            s.sendall(b"bye\r\n")
            return got, time.monotonic() - t0
        finally:
            s.close()
    r, lm, sm = step("banner", rns, banner)
    ksft_eq(b"220 ready\r\n", r[0], "server speaks first: its banner")
    ksft_ge(r[1], INSPECT_TIMEOUT * 0.9, "banner after inspect-timeout")
    only_link("banner", lm, BANNER_PORT, "r2", 1)
    ksft_eq(1, sm.get("payload_inspect_timeout", 0),
            "banner: payload_inspect_timeout")

    # 6. A client that sends nothing: the plain rule opens the server once
    # inspect-timeout passed; the client's close follows.
    def silent():
        s = connect(cns, TLS_PORT)
        sport = s.getsockname()[1]
        time.sleep(INSPECT_TIMEOUT + 0.5)
        s.close()
        time.sleep(0.5)
        return sport
    r, lm, sm = step("silent", rns, silent)
    only_link("silent", lm, TLS_PORT, "r2", 1)
    ksft_eq(1, sm.get("payload_inspect_timeout", 0),
            "silent: payload_inspect_timeout")
    ksft_true(srv.seen.get(r, "").startswith("tls-"),
              "silent: the server got the connection, and no ClientHello",
              seen=srv.seen.get(r))

    # 7. The servers saw what the clients sent, named as decided.
    ksft_eq({"tls:direct.example"}, {srv.seen.get(p) for p in direct},
            "the server saw direct.example's connections")
    ksft_eq({"tls:other.example"}, {srv.seen.get(p) for p in other},
            "the server saw other.example's connections")

    # 8. Decision events carry the name and the path.
    time.sleep(0.5)
    evs = list(ev_filter(read_events(events, start), event="decision",
                         dport=TLS_PORT))
    by = {e["sport"]: e for e in evs}
    ksft_eq({("direct.example", 1)},
            {(by.get(p, {}).get("server_name"), by.get(p, {}).get("path"))
             for p in direct}, "events: direct.example, path 1")
    ksft_eq({("other.example", 2)},
            {(by.get(p, {}).get("server_name"), by.get(p, {}).get("path"))
             for p in other}, "events: other.example, path 2")

    # 9. show conns: a live connection's path; one held open after its
    # handshake, its name too.
    s = connect(cns, BANNER_PORT)
    try:
        recv_exact(s, 11)
        conns = ctl("show", "conns", ns=rns) or []
        mine = [c for c in conns if c.get("sport") == s.getsockname()[1]]
        ksft_eq([2], [c.get("path") for c in mine], "show conns: path 2")
        ksft_eq([None], [c.get("server_name") for c in mine],
                "show conns: no name for a connection that sent none")
    finally:
        s.close()
    r = tls_client(cns, "direct.example",
                   held=held_named(rns, "held", "direct.example", 1))
    ksft_eq("ok", r[0], "held direct.example: TLS works")

    # 10. bypass path 2: untouched but for the link.
    def echo():
        s = connect(cns, ECHO_PORT)
        try:
            s.sendall(b"ping\n")
            return recv_exact(s, 5)
        finally:
            s.close()
    r, lm, sm = step("bypass", rns, echo)
    ksft_eq(b"ping\n", r, "bypass path: the echo")
    only_link("bypass", lm, ECHO_PORT, "r2", 1)
    ksft_ge(lm.get(("r2", ECHO_PORT, "all"), 0), 3,
            "bypass path: the handshake's ACK and the data out of r2 too")
    ksft_eq(1, sm.get("conn_bypassed", 0), "bypass path: conn_bypassed")
    ksft_eq(0, sm.get("syn_intercepted", 0), "bypass path: not intercepted")

    # 11. IPv6: the same decisions, the same links.
    start = sum(1 for _ in open(events))
    r, lm, sm = step("v6 sni direct", rns,
                     lambda: tls_client(cns, "direct.example", addr=SERVER6))
    ksft_eq("ok", r[0], "IPv6 sni direct.example: TLS works")
    only_link("v6 sni direct", lm, TLS_PORT, "r1", 1)
    ksft_eq(1, sm.get("payload_decided", 0), "v6 sni direct: payload_decided")
    v6direct = r[1]
    r, lm, sm = step("v6 sni other", rns,
                     lambda: tls_client(cns, "other.example", addr=SERVER6))
    ksft_eq("ok", r[0], "IPv6 sni other.example: TLS works on link B")
    only_link("v6 sni other", lm, TLS_PORT, "r2", 1)
    r, lm, sm = step("v6 held", rns, lambda: tls_client(
        cns, "direct.example", addr=SERVER6,
        held=held_named(rns, "v6 held", "direct.example", 1)))
    ksft_eq("ok", r[0], "IPv6 held direct.example: TLS works")
    only_link("v6 held", lm, TLS_PORT, "r1", 1)
    r, lm, sm = step("v6 sni blocked", rns,
                     lambda: tls_client(cns, "www.blocked.example",
                                        addr=SERVER6))
    ksft_true(r[0] in ("ECONNRESET", "eof"), "IPv6 sni blocked: reset",
              seen=r[0])
    ksft_eq(0, lm.get(("r1", TLS_PORT, "all"), 0) +
            lm.get(("r2", TLS_PORT, "all"), 0),
            "IPv6 sni blocked: nothing to the server")
    ksft_eq(1, sm.get("blocked_reset_sent", 0), "IPv6 sni blocked: reset")
    r, lm, sm = step("v6 host direct", rns,
                     lambda: http_client(cns, "direct.example", SERVER6))
    ksft_eq("HTTP/1.1 200 OK", r[0], "IPv6 host direct: status")
    only_link("v6 host direct", lm, HTTP_PORT, "r1", 1)
    r, lm, sm = step("v6 host blocked", rns,
                     lambda: http_client(cns, "blocked.example", SERVER6))
    ksft_eq("HTTP/1.1 403 Forbidden", r[0], "IPv6 host blocked: the page")
    ksft_eq(0, lm.get(("r1", HTTP_PORT, "all"), 0) +
            lm.get(("r2", HTTP_PORT, "all"), 0),
            "IPv6 host blocked: nothing to the server")
    ksft_eq(1, sm.get("blocked_page_sent", 0), "IPv6 host blocked: page")
    ksft_eq("tls:direct.example", srv.seen.get(v6direct),
            "IPv6: the server saw direct.example's connection")
    time.sleep(0.5)
    evs = read_events(events, start)
    ksft_eq(["www.blocked.example", "blocked.example"],
            [e.get("server_name") for e in ev_filter(evs, event="blocked")],
            "IPv6: the BLOCKED events carry the name")
    ksft_eq({("direct.example", 1, "ipv6")},
            {(e.get("server_name"), e.get("path"), e.get("family"))
             for e in ev_filter(evs, event="decision", sport=v6direct)},
            "IPv6: the decision event: direct.example, path 1")

    # 12. A payload rule's bypass: spliced on its path, counted.
    r, lm, sm = step("payload bypass", rns, lambda: tls_client(
        cns, "bypass.example",
        held=held_named(rns, "payload bypass", "bypass.example", 1)))
    ksft_eq("ok", r[0], "payload bypass: TLS works")
    only_link("payload bypass", lm, TLS_PORT, "r1", 1)
    ksft_eq((1, 0, 1), (sm.get("payload_bypassed", 0),
                        sm.get("conn_bypassed", 0),
                        sm.get("syn_intercepted", 0)),
            "payload bypass: payload_bypassed, not conn_bypassed")

    # 13. The block page's first segment lost: sent again.
    nft = ["ip", "netns", "exec", rns, "nft"]
    subprocess.run(nft + ["-f", "-"], check=True, text=True, input="""
table inet loss {
    set seen { typeof ip daddr . tcp dport; flags dynamic; }
    counter dropped { }
    chain out {
        type filter hook output priority 0; policy accept;
        ip saddr %s tcp sport %d tcp flags & psh == psh ip daddr . tcp dport @seen accept
        ip saddr %s tcp sport %d tcp flags & psh == psh add @seen { ip daddr . tcp dport } counter name dropped drop
    }
}
""" % (SERVER, HTTP_PORT, SERVER, HTTP_PORT))
    try:
        t0 = time.monotonic()
        r, lm, sm = step("page lost", rns,
                         lambda: http_client(cns, "blocked.example"))
        took = time.monotonic() - t0
        out = subprocess.run(nft + ["-j", "list", "counter", "inet", "loss",
                                    "dropped"], capture_output=True,
                             text=True).stdout
        dropped = [o["counter"]["packets"]
                   for o in json.loads(out or "{}").get("nftables", [])
                   if "counter" in o]
    finally:
        subprocess.run(nft + ["delete", "table", "inet", "loss"])
    ksft_eq([1], dropped, "page lost: its first segment dropped once")
    ksft_eq("HTTP/1.1 403 Forbidden", r[0], "page lost: the page, resent")
    ksft_eq(1, sm.get("blocked_page_sent", 0), "page lost: one page")
    ksft_true(0.8 <= took < 8, "page lost: resent after about a second",
              seen=round(took, 2))


def main(argv):
    return check_main(argv, __doc__, {"all": all_cases})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
