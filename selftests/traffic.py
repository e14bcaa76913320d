#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic helpers for the catoproxy selftests (stdlib only).

Starting a process is slow in the test VM, so every loop lives inside one
python process.

  traffic.py serve PORT[,PORT...] [--udp PORT]
        Echo server on [::] (v4 and v6) for each TCP port, and a UDP echo
        on --udp. Runs until killed.

  traffic.py connect COUNT HOST,PORT [HOST,PORT ...]
        COUNT sequential connections to each target, each one sending a
        line and reading its echo. Prints "OK FAIL" (totals) and exits 0
        when FAIL is 0.

  traffic.py udp COUNT HOST,PORT [HOST,PORT ...]
        COUNT datagrams to each target, each waiting for its echo. Prints
        "OK FAIL".

  traffic.py outcome TIMEOUT HOST,PORT [HOST,PORT ...]
        One connection to each target: connect, send a line, read until
        the peer closes, each step within TIMEOUT seconds. Prints one word
        per target, in order: echo (the line came back), reset-connect
        (reset while connecting), reset (reset once connected), refused,
        timeout-connect, timeout, closed (closed without an answer).

  traffic.py hold [--client NS] [--server NS] [--timeout T]
                  [--ping-timeout S] [--no-ping] [--ports PORTSFILE] [--md5]
                  COUNT READYFILE GOFILE RESULTFILE HOST,PORT [HOST,PORT ...]
        Opens COUNT connections to each target (from netns NS, default
        this one; each within T seconds, default 10) and pings each once,
        writes their local ports to PORTSFILE and "OPEN FAILED" to
        READYFILE, waits for GOFILE, pings each again (within S seconds,
        default T) and writes "ALIVE RESET" to RESULTFILE. With --server,
        the echo server runs in this process, in netns NS, on the targets'
        port. --no-ping: no pings, only the connections; RESULTFILE "-":
        none written, no second ping. --md5: both ends sign every
        segment with TCP-MD5 (RFC 2385).

  traffic.py churn STOPFILE RESULTFILE HOLD HOST,PORT [HOST,PORT ...]
        Opens HOLD long-lived connections to each target, then keeps
        opening short connections (round robin over the targets) and
        pinging the long-lived ones until STOPFILE exists. Writes the
        local ports of the long-lived connections to RESULTFILE.held once
        they are open, and "short_ok short_fail held_ok held_fail" to
        RESULTFILE every 5 connections and at the end.
"""

import os
import socket
import sys
import threading

from lib.py import EchoServer, echo_once, hold, target, write_atomic

TIMEOUT = 10.0


def serve(ports, udp_port):
    for p in ports:
        EchoServer(None, p, backlog=128, idle=120)
    if not udp_port:
        threading.Event().wait()
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u.bind(("::", udp_port))
    while True:
        data, addr = u.recvfrom(4096)
        u.sendto(data, addr)


def one_conn(fam, host, port, payload=b"ping\n"):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    try:
        s.connect((host, port))
        echo_once(s, payload)
    finally:
        s.close()


def connect(count, targets):
    ok = fail = 0
    for t in targets:
        for i in range(count):
            try:
                one_conn(*t, payload=b"conn %d\n" % i)
                ok += 1
            except OSError as e:
                fail += 1
                print("connect %s,%d: %s" % (t[1], t[2], e), file=sys.stderr)
    print(ok, fail)
    return 0 if fail == 0 else 1


def udp(count, targets):
    ok = fail = 0
    for fam, host, port in targets:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(2)
        for i in range(count):
            msg = b"dgram %d" % i
            try:
                s.sendto(msg, (host, port))
                if s.recv(4096) == msg:
                    ok += 1
                else:
                    fail += 1
            except OSError as e:
                fail += 1
                print("udp %s,%d: %s" % (host, port, e), file=sys.stderr)
        s.close()
    print(ok, fail)
    return 0 if fail == 0 else 1


def outcome(timeout, targets):
    words = []
    for fam, host, port in targets:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((host, port))
        except ConnectionResetError:
            words.append("reset-connect")
            continue
        except ConnectionRefusedError:
            words.append("refused")
            continue
        except socket.timeout:
            words.append("timeout-connect")
            continue
        try:
            s.sendall(b"outcome\n")
            got = b""
            while True:
                data = s.recv(4096)
                if not data:
                    break
                got += data
                if got == b"outcome\n":
                    break
            words.append("echo" if got == b"outcome\n" else "closed")
        except (ConnectionResetError, BrokenPipeError):
            words.append("reset")
        except socket.timeout:
            words.append("timeout")
        finally:
            s.close()
    print(" ".join(words))
    return 0


def churn(stopfile, resultfile, hold, targets):
    held = []
    for fam, host, port in targets:
        for _ in range(hold):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(TIMEOUT)
            s.connect((host, port))
            held.append(s)
    write_atomic(resultfile + ".held",
                 " ".join(str(s.getsockname()[1]) for s in held) + "\n")
    sok = sfail = 0
    held_fail = 0

    def ping_held():
        nonlocal held_fail
        for s in held:
            try:
                echo_once(s, b"held\n")
            except OSError as e:
                held_fail += 1
                print("held connection: %s" % e, file=sys.stderr)

    def report():
        write_atomic(resultfile, "%d %d %d %d\n" % (
            sok, sfail, len(held) if not held_fail else 0, held_fail))

    n = 0
    while not os.path.exists(stopfile):
        t = targets[n % len(targets)]
        try:
            one_conn(*t)
            sok += 1
        except OSError as e:
            sfail += 1
            print("short connection %s,%d: %s" % (t[1], t[2], e),
                  file=sys.stderr)
        n += 1
        if n % 10 == 0:
            ping_held()
        if n % 5 == 0:
            report()
    ping_held()
    report()
    for s in held:
        s.close()
    return 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 1
    cmd = argv[1]
    if cmd == "serve":
        udp_port = 0
        rest = argv[2:]
        if "--udp" in rest:
            i = rest.index("--udp")
            udp_port = int(rest[i + 1])
            del rest[i:i + 2]
        serve([int(p) for p in rest[0].split(",")], udp_port)
    elif cmd == "connect":
        return connect(int(argv[2]), [target(t) for t in argv[3:]])
    elif cmd == "outcome" and len(argv) >= 4:
        return outcome(float(argv[2]), [target(t) for t in argv[3:]])
    elif cmd == "udp":
        return udp(int(argv[2]), [target(t) for t in argv[3:]])
    elif cmd == "hold":
        opts = {}
        rest = argv[2:]
        while rest and rest[0] in ("--client", "--server", "--timeout",
                                  "--ping-timeout", "--ports", "--no-ping",
                                  "--md5"):
            if rest[0] in ("--no-ping", "--md5"):
                opts[rest.pop(0)] = True
                continue
            opts[rest[0]] = rest[1]
            del rest[:2]
        if len(rest) < 5:
            print(__doc__, file=sys.stderr)
            return 1
        hold([target(t) for t in rest[4:]], int(rest[0]), rest[1], rest[2],
             rest[3] if rest[3] != "-" else None,
             cns=opts.get("--client"), sns=opts.get("--server"),
             ping="--no-ping" not in opts, portsfile=opts.get("--ports"),
             md5="--md5" in opts,
             timeout=float(opts.get("--timeout", 10)),
             ping_timeout=float(opts.get("--ping-timeout", 0)) or None)
    elif cmd == "churn" and len(argv) >= 6:
        return churn(argv[2], argv[3], int(argv[4]),
                     [target(t) for t in argv[5:]])
    else:
        print(__doc__, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
