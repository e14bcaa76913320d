# SPDX-License-Identifier: GPL-2.0
"""The router's forward-path firewall judges what the module sends for a
client (full_cookie.sh), in one process:

  fwpolicy.py firewall CLIENT ROUTER SERVER ALLOWED DROP_M10,DROP_0,DROP_P10
  fwpolicy.py nat CLIENT ROUTER SERVER PORT

firewall: the router has forward chains at priorities -10, 0 and 10, each
"ct state established,related accept; tcp dport P ct state new drop" for
its own port P, and a forward chain counting the client's segments to
ALLOWED that carry no SYN. With syn-backlog 1024 (the SYN intercepted) and
0 (cookies), over IPv4 and IPv6: a connection to each P (its request sent
if connect() returns) gets no answer and the server sees no packet to P at
all, through the module's server SYN retransmission too (the wait covers
it); a connection to ALLOWED echoes its request. Every client segment the
server gets to ALLOWED went through FORWARD: the held ones the module
re-sends included (held_segments moves with cookies).

nat: the router NATs the connections, in turn: SNAT and masquerade toward
the server, and a port forward of its own PORT to the server's echo port
(prerouting DNAT); each in full mode with syn-backlog 1024 (intercepted)
and 0 (cookies) and in delayed mode, over IPv4 and IPv6. Every connection
echoes its request, the module's counters say how it ran, and the server
counts where its segments came from: behind SNAT and masquerade nothing
reaches it from a client's address (the module's server SYNs, their
retransmissions and the held segments it re-sends included), through the
port forward nothing from the router's."""

import json
import select
import socket
import subprocess
import sys
import time

from lib.py.ctl import ctl, ctl_stats
from lib.py.ksft import check_main, ksft_eq, ksft_ge, ksft_true
from lib.py.sockets import client_socket

SERVER = ("10.0.2.2", "fd00:2::2")
ROUTER = ("10.0.1.1", "fd00:1::1")
ECHO_PORT = 8080
MSG = b"ping\n"
# The module resends a server SYN after 1 s, then 2 s more.
WAIT = 2.5


def nft(ns, script):
    subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"],
                   input=script, text=True, check=True)


def counters(ns, table):
    """Named counters of inet TABLE in NS: name -> packets."""
    out = subprocess.run(["ip", "netns", "exec", ns, "nft", "-j", "list",
                          "counters", "table", "inet", table],
                         capture_output=True, text=True, check=True).stdout
    r = {}
    for o in json.loads(out)["nftables"]:
        if "counter" in o:
            r[o["counter"]["name"]] = o["counter"]["packets"]
    return r


def attempt(client, targets, sport):
    """Connect to every (host, port) at once, from ports sport, sport + 1
    ..., send MSG on each connection that comes up, wait WAIT seconds:
    {(host, port): echoed}. Ports of their own, below the ephemeral
    range: a tuple conntrack still knows (TIME_WAIT) would make a SYN a
    known connection's, which no cookie answers."""
    socks = {}
    for i, t in enumerate(targets):
        s = client_socket(client, t[0])
        s.bind(("::" if ":" in t[0] else "0.0.0.0", sport + i))
        s.setblocking(False)
        s.connect_ex(t)
        socks[s] = t
    sent = set()
    got = {t: b"" for t in targets}
    end = time.monotonic() + WAIT
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        wr = [s for s in socks if s not in sent]
        rd, wrok, _ = select.select(list(sent), wr, [], left)
        for s in wrok:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                got[socks[s]] = None
                sent.add(s)
                continue
            try:
                s.send(MSG)
            except OSError:
                pass
            sent.add(s)
        for s in rd:
            try:
                d = s.recv(100)
            except OSError:
                d = b""
            if got[socks[s]] is not None:
                got[socks[s]] += d
            if not d:
                sent.discard(s)
                del socks[s]
                s.close()
    for s in socks:
        s.close()
    return {t: got[t] == MSG for t in targets}


def firewall(client, router, server, allowed, drops):
    allowed = int(allowed)
    drops = [int(p) for p in drops.split(",")]
    prios = (-10, 0, 10)
    chains = "".join(
        "chain f%d { type filter hook forward priority %d; "
        "ct state established,related accept; "
        "tcp dport %d ct state new drop; }\n" % (i, prio, port)
        for i, (prio, port) in enumerate(zip(prios, drops)))
    nft(router, "table inet fwpolicy {\n counter seen {}\n%s"
        " chain count { type filter hook forward priority -20; "
        "tcp dport %d tcp flags & syn == 0 counter name seen; }\n}\n"
        % (chains, allowed))
    nft(server, "table inet fwpolicy {\n counter seen {}\n%s"
        " chain pre { type filter hook prerouting priority -300;\n%s"
        "  tcp dport %d tcp flags & syn == 0 counter name seen; }\n}\n"
        % ("".join(" counter p%d {}\n" % p for p in drops),
           "".join("  tcp dport %d counter name p%d\n" % (p, p)
                   for p in drops), allowed))
    try:
        for backlog, sport in ((1024, 21000), (0, 22000)):
            ctl("set", "syn-backlog", str(backlog), ns=router)
            s0 = ctl_stats(router)
            targets = [(h, p) for h in SERVER for p in drops + [allowed]]
            r = attempt(client, targets, sport)
            s1 = ctl_stats(router)
            d = {k: s1[k] - s0[k] for k in ("syn_intercepted",
                                            "cookie_mode_syns")}
            # Intercepted: the allowed port's and the one dropped after
            # the module's hook; with cookies every SYN gets one.
            ksft_eq({"syn_intercepted": 4 if backlog else 0,
                     "cookie_mode_syns": 0 if backlog else 8}, d,
                    "syn-backlog %d: counters" % backlog)
            for h in SERVER:
                ksft_true(r[(h, allowed)], "syn-backlog %d: %s port %d "
                          "(allowed) echoes" % (backlog, h, allowed))
                for prio, p in zip(prios, drops):
                    ksft_true(not r[(h, p)], "syn-backlog %d: %s port %d "
                              "(dropped at priority %d) does not echo"
                              % (backlog, h, p, prio))
            if backlog == 0:
                ksft_ge(s1["held_segments"] - s0["held_segments"], 2,
                        "syn-backlog 0: held_segments delta")
        seen = counters(server, "fwpolicy")
        for prio, p in zip(prios, drops):
            ksft_eq(0, seen["p%d" % p], "server: packets to port %d "
                    "(dropped at priority %d)" % (p, prio))
        # The connections' last segments may still be on their way.
        end = time.monotonic() + 5
        while True:
            fwd = counters(router, "fwpolicy")["seen"]
            srv = counters(server, "fwpolicy")["seen"]
            if fwd == srv or time.monotonic() > end:
                break
            time.sleep(0.1)
        ksft_ge(srv, 8, "server: client segments to port %d" % allowed)
        ksft_eq(srv, fwd, "router FORWARD: client segments to port %d "
                "(= what the server got)" % allowed)
    finally:
        ctl("set", "syn-backlog", "1024", ns=router)
        for ns in (router, server):
            subprocess.run(["ip", "netns", "exec", ns, "nft", "delete",
                            "table", "inet", "fwpolicy"])


# Router addresses toward the server: what SNAT and masquerade give.
ROUTER_S = ("10.0.2.1", "fd00:2::1")
CLIENT = ("10.0.1.2", "fd00:1::2")
NAT_SPORT = 23000


def nat_rules(kind, port):
    """The router's ruleset for KIND: snat, masquerade or dnat (the
    router's PORT forwarded to the server's echo port)."""
    if kind == "dnat":
        return ("table ip fwpolicy_nat {\n chain pre { type nat hook "
                "prerouting priority -100; ip daddr %s tcp dport %d "
                "dnat to %s:%d; }\n}\n"
                "table ip6 fwpolicy_nat {\n chain pre { type nat hook "
                "prerouting priority -100; ip6 daddr %s tcp dport %d "
                "dnat to [%s]:%d; }\n}\n"
                % (ROUTER[0], port, SERVER[0], ECHO_PORT,
                   ROUTER[1], port, SERVER[1], ECHO_PORT))
    act = {"snat": ("snat to %s" % ROUTER_S[0], "snat to %s" % ROUTER_S[1]),
           "masquerade": ("masquerade", "masquerade")}[kind]
    return ("table ip fwpolicy_nat {\n chain post { type nat hook "
            "postrouting priority 100; oifname \"r1\" %s; }\n}\n"
            "table ip6 fwpolicy_nat {\n chain post { type nat hook "
            "postrouting priority 100; oifname \"r1\" %s; }\n}\n" % act)


def nat(client, router, server, port):
    """Every segment the module sends toward the server leaves with the
    addresses NAT gives the connection: the server counts, per source,
    what reaches its echo port from the clients' ports."""
    port = int(port)
    nft(server, "table inet fwpolicy_seen {\n counter client {}\n"
        " counter router {}\n chain pre { type filter hook prerouting "
        "priority -300;\n"
        "  tcp dport %d tcp sport %d-%d ip saddr %s counter name client\n"
        "  tcp dport %d tcp sport %d-%d ip6 saddr %s counter name client\n"
        "  tcp dport %d ip saddr %s counter name router\n"
        "  tcp dport %d ip6 saddr %s counter name router\n }\n}\n"
        % (ECHO_PORT, NAT_SPORT, NAT_SPORT + 999, CLIENT[0],
           ECHO_PORT, NAT_SPORT, NAT_SPORT + 999, CLIENT[1],
           ECHO_PORT, ROUTER_S[0], ECHO_PORT, ROUTER_S[1]))
    # (mode, syn-backlog): intercepted, through cookies, delayed.
    settings = (("full", 1024), ("full", 0), ("delayed", 1024))
    sport = NAT_SPORT
    try:
        for kind in ("snat", "masquerade", "dnat"):
            nft(router, nat_rules(kind, port))
            hosts = ROUTER if kind == "dnat" else SERVER
            dport = port if kind == "dnat" else ECHO_PORT
            for mode, backlog in settings:
                what = "%s, %s, syn-backlog %d" % (kind, mode, backlog)
                ctl("set", "mode", mode, "syn-backlog", str(backlog),
                    ns=router)
                c0 = counters(server, "fwpolicy_seen")
                s0 = ctl_stats(router)
                r = attempt(client, [(h, dport) for h in hosts], sport)
                sport += 10
                s1 = ctl_stats(router)
                c1 = counters(server, "fwpolicy_seen")
                for h in hosts:
                    ksft_true(r[(h, dport)], "%s: %s port %d echoes"
                              % (what, h, dport))
                d = {k: s1[k] - s0[k] for k in (
                    "syn_intercepted", "cookie_mode_syns", "server_open_ok",
                    "conn_delayed", "server_timeout", "tx_failed")}
                full = mode == "full"
                # A port forward's SYN is addressed to the router until
                # DNAT, after a cookie would be decided: never a cookie
                # (the router's own traffic is its stack's), so past the
                # backlog it runs tracked, not intercepted.
                cookie = full and backlog == 0 and kind != "dnat"
                tracked = full and backlog == 0 and kind == "dnat"
                ksft_eq({"syn_intercepted": 2 if full and backlog else 0,
                         "cookie_mode_syns": 2 if cookie else 0,
                         "server_open_ok": 0 if tracked or not full else 2,
                         "conn_delayed": 0 if full else 2,
                         "server_timeout": 0, "tx_failed": 0}, d,
                        "%s: counters" % what)
                seen = {k: c1[k] - c0[k] for k in c1}
                if kind == "dnat":
                    ksft_eq(0, seen["router"], "%s: server segments from "
                            "the router's address" % what)
                    ksft_ge(seen["client"], 6, "%s: server segments from "
                            "the clients" % what)
                else:
                    ksft_eq(0, seen["client"], "%s: server segments from "
                            "the clients' addresses (not translated)" % what)
                    ksft_ge(seen["router"], 6, "%s: server segments from "
                            "the router's address" % what)
            for fam in ("ip", "ip6"):
                subprocess.run(["ip", "netns", "exec", router, "nft",
                                "delete", "table", fam, "fwpolicy_nat"],
                               check=True)
    finally:
        ctl("set", "mode", "full", "syn-backlog", "1024", ns=router)
        for fam in ("ip", "ip6"):
            subprocess.run(["ip", "netns", "exec", router, "nft", "delete",
                            "table", fam, "fwpolicy_nat"],
                           stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "exec", server, "nft", "delete",
                        "table", "inet", "fwpolicy_seen"])


CHECKS = {"firewall": firewall, "nat": nat}

if __name__ == "__main__":
    sys.exit(check_main(sys.argv, __doc__, CHECKS))
