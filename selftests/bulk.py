#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Socket-level traffic for the catoproxy full-mode selftests (stdlib only).

Both ends of every connection live in this one process: sockets are created
in the client or server network namespace (setns(2) on the creating thread,
lib/py's netns()), so no server process has to be started and synchronised with,
and the whole run costs one interpreter start (about half a second in the
test VM). Every command prints one JSON object on stdout; the shell test
makes the assertions.

  bulk.py bulk CLIENT_NS SERVER_NS PORT SIZE HOST...
        For each HOST: one upload and one download of SIZE bytes through the
        router, sha256 checked by both ends. {"conns", "client_ok",
        "server_ok", "errors", "secs"}

  bulk.py span CLIENT_NS SERVER_NS PORT SIZE READYFILE GOFILE HOST...
        For each HOST: one upload and one download of SIZE bytes, all four
        at once, sha256 checked by both ends, that stop half way: once
        every transfer is half done, READYFILE gets their local ports
        ("PORT..." on one line); they finish after GOFILE exists. For
        changing the configuration under live connections. {"conns",
        "client_ok", "server_ok", "errors", "ports", "secs"}

  bulk.py held CLIENT_NS SERVER_NS PORT SIZE HOST
        Connect, send SIZE bytes at once, shut down writing, read the
        server's verdict. {"connect_ms", "total_ms", "server_len",
        "server_match", "reply"}

  bulk.py refused CLIENT_NS HOST,PORT...
        Per target: does connect() succeed and what does the first recv()
        say. {"HOST,PORT": {"connect": "ok"|ERRNO, "recv": ERRNO|"eof"|"data",
        "ms": time from connect() to the error}}

  bulk.py scale CLIENT_NS SERVER_NS PORT COUNT HOST...
        COUNT connections per HOST, all open at once (non-blocking connects,
        one selector), each echoes a line; then all closed.
        {"opened", "echoed", "failed", "errors", "secs"}

  bulk.py flood CLIENT_NS SERVER_NS ROUTER_NS PORT SYNS LEGIT HOST4
        Raw IPv4 SYN flood (source ports 20000-39999) of SYNS packets while
        LEGIT sequential connections are made; samples the router's
        conntrack count and the nf_conntrack slab. {"sent", "legit_ok",
        "legit_fail", "errors", "ct_max", "slab_before", "slab_max"}
"""

import errno
import hashlib
import os
import random
import selectors
import socket
import struct
import sys
import threading
import time

from lib.py import client_socket, errname, json_main, listener, netns, \
    next_recv, recv_all, recv_exact, serve_forever, tcpi_options, write_atomic
from lib.py.packet import csum, src_addr

TIMEOUT = 60.0


def send_data(s, n, seed, h):
    rnd = random.Random(seed)
    left = n
    while left:
        chunk = rnd.randbytes(min(1 << 16, left))
        h.update(chunk)
        s.sendall(chunk)
        left -= len(chunk)


# ------------------------------------------------------------------ bulk

class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.server_ok = 0
        self.errors = []
        # tcpi_options of each end, by the client's port
        self.copts = {}
        self.sopts = {}

    def err(self, msg):
        with self.lock:
            self.errors.append(msg)


def bulk_server_conn(c, res):
    try:
        with res.lock:
            res.sopts[c.getpeername()[1]] = tcpi_options(c)
        c.settimeout(TIMEOUT)
        hdr = recv_exact(c, 9)
        kind, n = hdr[:1], struct.unpack("!Q", hdr[1:])[0]
        h = hashlib.sha256()
        if kind == b"U":
            recv_exact(c, n, h)
            theirs = recv_exact(c, 32)
            c.sendall(h.digest())
            if theirs == h.digest():
                with res.lock:
                    res.server_ok += 1
            else:
                res.err("server: upload of %d bytes: sha256 mismatch" % n)
        else:
            send_data(c, n, n ^ 0x5eed, h)
            c.sendall(h.digest())
            theirs = recv_exact(c, 32)
            if theirs == h.digest():
                with res.lock:
                    res.server_ok += 1
            else:
                res.err("server: download of %d bytes: client's sha256 differs" % n)
            c.sendall(b"K")
    except OSError as e:
        res.err("server: %s" % e)
    finally:
        c.close()


XFER_LIMIT = 45.0


def upload_done(s, h):
    """The client's end of an upload: both sha256s agree."""
    s.sendall(h.digest())
    if recv_exact(s, 32) != h.digest():
        raise OSError("upload: server's sha256 differs")


def download_done(s, h):
    """The client's end of a download: both sha256s agree, the server
    confirms with a K."""
    theirs = recv_exact(s, 32)
    s.sendall(h.digest())
    if theirs != h.digest():
        raise OSError("download: sha256 mismatch")
    if recv_exact(s, 1) != b"K":
        raise OSError("download: no final K")


def bulk_client(cns, host, port, kind, n, res):
    s = client_socket(cns, host)
    s.settimeout(TIMEOUT)
    # a transfer that crawls (e.g. at a misscaled window) is cut off
    watchdog = threading.Timer(XFER_LIMIT, lambda: s.shutdown(socket.SHUT_RDWR))
    watchdog.start()
    try:
        s.connect((host, port))
        res.copts[(host, kind)] = (s.getsockname()[1], tcpi_options(s))
        s.sendall(kind + struct.pack("!Q", n))
        h = hashlib.sha256()
        if kind == b"U":
            send_data(s, n, n ^ 0xc11e, h)
            upload_done(s, h)
        else:
            recv_exact(s, n, h)
            download_done(s, h)
        return True
    except OSError as e:
        res.err("client %s %s: %s%s" % (host, kind.decode(),
                                         errname(e) if e.errno else e,
                                         "" if watchdog.is_alive() else
                                         " (cut off after %d s)" % XFER_LIMIT))
        return False
    finally:
        watchdog.cancel()
        s.close()


def cmd_bulk(cns, sns, port, size, hosts):
    res = Results()
    ls = listener(sns, port)
    serve_forever(ls, lambda c: bulk_server_conn(c, res))
    t0 = time.monotonic()
    ok = conns = 0
    times = {}
    for h in hosts:
        for kind in (b"U", b"D"):
            conns += 1
            t1 = time.monotonic()
            ok += bulk_client(cns, h, port, kind, size, res)
            times["%s %s" % (h, kind.decode())] = round(time.monotonic() - t1, 2)
    # the server thread counts after the client has its answer
    deadline = time.monotonic() + 10
    while res.server_ok < ok and time.monotonic() < deadline:
        time.sleep(0.01)
    ls.close()
    # the options each end's socket runs with: [client, server]
    opts = {}
    for (h, kind), (sport, copts) in res.copts.items():
        opts["%s %s" % (h, kind.decode())] = [copts, res.sopts.get(sport)]
    return {"conns": conns, "client_ok": ok, "server_ok": res.server_ok,
            "errors": res.errors, "secs": round(time.monotonic() - t0, 2),
            "times": times, "slowest": max(times.values()), "opts": opts}


# ------------------------------------------------------------------ span

def span_client(cns, host, port, kind, n, res, half_done, go, ports):
    s = client_socket(cns, host)
    s.settimeout(TIMEOUT)
    half = n // 2
    try:
        s.connect((host, port))
        with res.lock:
            ports.append(s.getsockname()[1])
        s.sendall(kind + struct.pack("!Q", n))
        h = hashlib.sha256()
        if kind == b"U":
            # send_data's stream, cut in two at a chunk boundary
            rnd = random.Random(n ^ 0xc11e)
            left = n
            while left:
                if left <= n - half and not half_done.is_set():
                    half_done.set()
                    go.wait(TIMEOUT)
                chunk = rnd.randbytes(min(1 << 16, left))
                h.update(chunk)
                s.sendall(chunk)
                left -= len(chunk)
            half_done.set()
            upload_done(s, h)
        else:
            recv_exact(s, half, h)
            half_done.set()
            go.wait(TIMEOUT)
            recv_exact(s, n - half, h)
            download_done(s, h)
        return True
    except OSError as e:
        res.err("client %s %s: %s" % (host, kind.decode(),
                                      errname(e) if e.errno else e))
        return False
    finally:
        half_done.set()
        s.close()


def cmd_span(cns, sns, port, size, ready, gofile, hosts):
    res = Results()
    ls = listener(sns, port)
    serve_forever(ls, lambda c: bulk_server_conn(c, res))
    t0 = time.monotonic()
    go = threading.Event()
    ports = []
    oks = []
    threads = []
    halves = []
    for h in hosts:
        for kind in (b"U", b"D"):
            half_done = threading.Event()
            t = threading.Thread(target=lambda *a: oks.append(span_client(*a)),
                                 args=(cns, h, port, kind, size, res,
                                       half_done, go, ports), daemon=True)
            t.start()
            threads.append(t)
            halves.append(half_done)
    for e in halves:
        e.wait(TIMEOUT)
    write_atomic(ready, " ".join(str(p) for p in sorted(ports)) + "\n")
    deadline = time.monotonic() + TIMEOUT
    while not os.path.exists(gofile) and time.monotonic() < deadline:
        time.sleep(0.05)
    go.set()
    for t in threads:
        t.join(TIMEOUT)
    ok = sum(oks)
    deadline = time.monotonic() + 10
    while res.server_ok < ok and time.monotonic() < deadline:
        time.sleep(0.01)
    ls.close()
    return {"conns": len(threads), "client_ok": ok,
            "server_ok": res.server_ok, "errors": res.errors,
            "ports": sorted(ports), "secs": round(time.monotonic() - t0, 2)}


# ------------------------------------------------------------------ held

def cmd_held(cns, sns, port, size, host):
    out = {"server_len": -1, "server_match": False, "reply": ""}
    payload = random.Random(7).randbytes(size)
    got = {}

    def handler(c):
        try:
            c.settimeout(TIMEOUT)
            buf = recv_all(c)
            got["data"] = buf
            c.sendall(b"%d %s\n" % (len(buf), hashlib.sha256(buf).hexdigest().encode()))
        except OSError as e:
            got["err"] = str(e)
        finally:
            c.close()

    ls = listener(sns, port)
    serve_forever(ls, handler)
    s = client_socket(cns, host)
    s.settimeout(TIMEOUT)
    try:
        t0 = time.monotonic()
        s.connect((host, port))
        out["connect_ms"] = int((time.monotonic() - t0) * 1000)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        reply = recv_all(s)
        out["total_ms"] = int((time.monotonic() - t0) * 1000)
        out["reply"] = reply.decode(errors="replace").strip()
    except OSError as e:
        out["error"] = errname(e)
    finally:
        s.close()
    deadline = time.monotonic() + 5
    while "data" not in got and "err" not in got and time.monotonic() < deadline:
        time.sleep(0.01)
    if "data" in got:
        out["server_len"] = len(got["data"])
        out["server_match"] = got["data"] == payload
    if "err" in got:
        out["server_error"] = got["err"]
    out["expected"] = "%d %s" % (size, hashlib.sha256(payload).hexdigest())
    ls.close()
    return out


# ------------------------------------------------------------------ refused

def cmd_refused(cns, targets):
    out = {}
    for t in targets:
        host, port = t.rsplit(",", 1)
        r = {"connect": "ok", "recv": "none", "ms": -1}
        s = client_socket(cns, host)
        s.settimeout(15)
        t0 = time.monotonic()
        try:
            s.connect((host, int(port)))
            r["recv"] = next_recv(s)
        except OSError as e:
            r["connect"] = errname(e)
        r["ms"] = int((time.monotonic() - t0) * 1000)
        s.close()
        out[t] = r
    return out


# ------------------------------------------------------------------ scale

def cmd_scale(cns, sns, port, count, hosts):
    sel = selectors.DefaultSelector()
    ls = listener(sns, port)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ, ("listen", None))
    errors = []
    conns = []
    t0 = time.monotonic()
    for h in hosts:
        for i in range(count):
            s = client_socket(cns, h)
            s.setblocking(False)
            e = s.connect_ex((h, port))
            if e not in (0, errno.EINPROGRESS):
                errors.append("connect %s: %s" % (h, errno.errorcode.get(e, e)))
                s.close()
                continue
            st = {"sock": s, "msg": b"hello %d\n" % len(conns), "got": b"",
                  "state": "connecting"}
            conns.append(st)
            sel.register(s, selectors.EVENT_WRITE, ("client", st))
    opened = echoed = 0
    pending = len(conns)
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        for key, ev in sel.select(1.0):
            kind, st = key.data
            if kind == "listen":
                while True:
                    try:
                        c, _ = ls.accept()
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, ("server", c))
            elif kind == "server":
                try:
                    d = st.recv(4096)
                except OSError:
                    d = b""
                if d:
                    st.send(d)
                else:
                    sel.unregister(st)
                    st.close()
            elif st["state"] == "connecting":
                e = st["sock"].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    errors.append("connect: %s" % errno.errorcode.get(e, e))
                    sel.unregister(st["sock"])
                    pending -= 1
                    continue
                opened += 1
                st["sock"].send(st["msg"])
                st["state"] = "echo"
                sel.modify(st["sock"], selectors.EVENT_READ, key.data)
            else:
                try:
                    d = st["sock"].recv(4096)
                except OSError as e:
                    d = b""
                    errors.append("recv: %s" % errname(e))
                st["got"] += d
                if not d or st["got"] == st["msg"]:
                    if st["got"] == st["msg"]:
                        echoed += 1
                    elif not d:
                        errors.append("echo: eof after %r" % st["got"])
                    sel.unregister(st["sock"])
                    pending -= 1
    for st in conns:
        if st["state"] != "echo":
            pass
        st["sock"].close()
    # let the server side see the FINs and close its sockets
    end = time.monotonic() + 5
    while time.monotonic() < end and len(sel.get_map()) > 1:
        for key, ev in sel.select(0.2):
            kind, st = key.data
            if kind == "server":
                try:
                    d = st.recv(4096)
                except OSError:
                    d = b""
                if not d:
                    sel.unregister(st)
                    st.close()
            elif kind == "listen":
                try:
                    ls.accept()[0].close()
                except OSError:
                    pass
    ls.close()
    return {"opened": opened, "echoed": echoed, "failed": len(conns) - echoed,
            "errors": errors[:10], "secs": round(time.monotonic() - t0, 2)}


# ------------------------------------------------------------------ flood

def slab_active(name="nf_conntrack"):
    """Objects of the slab cache in use, every namespace's. The cache is
    shrunk first (as churn.sh does): SLUB then stops counting the free
    objects of the slabs CPUs keep, and a KASAN kernel frees what its
    quarantine holds back: freed entries, counted as active until then,
    that would show a flood's every unconfirmed entry as kept."""
    try:
        with open("/sys/kernel/slab/%s/shrink" % name, "w") as f:
            f.write("1")
    except OSError:
        pass
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                p = line.split()
                if p and p[0] == name:
                    return int(p[1])
    except OSError:
        pass
    return -1


def echo_selector(ls, stop):
    """Echo on every connection accepted from ls, in this one thread."""
    sel = selectors.DefaultSelector()
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ, None)
    while not stop.is_set() or len(sel.get_map()) > 1:
        for key, _ in sel.select(0.2):
            if key.data is None:
                while True:
                    try:
                        c, _ = ls.accept()
                    except OSError:
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, c)
                continue
            c = key.data
            try:
                d = c.recv(4096)
                if d:
                    c.send(d)
                    continue
            except OSError:
                pass
            sel.unregister(c)
            c.close()
        if stop.is_set():
            break
    for key in list(sel.get_map().values()):
        key.fileobj.close()


FLOOD_LIMIT = 120.0


def cmd_flood(cns, sns, rns, port, nsyn, nlegit, host):
    stop = threading.Event()
    legit_done = threading.Event()
    res = {"legit_ok": 0, "legit_fail": 0, "errors": []}

    ls = listener(sns, port)
    # one thread for every server-side socket: a flood the router lets
    # through to the server must not drown this process in threads
    threading.Thread(target=echo_selector, args=(ls, stop), daemon=True).start()
    with netns(rns):
        ctf = open("/proc/sys/net/netfilter/nf_conntrack_count")
    with netns(cns):
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        src = socket.inet_aton(src_addr(None, host))
    dst = socket.inet_aton(host)

    def ct_count():
        ctf.seek(0)
        return int(ctf.read())

    samples = {"ct_max": ct_count(), "slab_before": slab_active(), "slab_max": 0}

    def sample():
        samples["ct_max"] = max(samples["ct_max"], ct_count())
        samples["slab_max"] = max(samples["slab_max"], slab_active())

    def legit():
        for i in range(nlegit):
            s = client_socket(cns, host)
            s.settimeout(10)
            try:
                s.connect((host, port))
                msg = b"legit %d\n" % i
                s.sendall(msg)
                if recv_exact(s, len(msg)) != msg:
                    raise OSError("bad echo")
                res["legit_ok"] += 1
            except OSError as e:
                res["legit_fail"] += 1
                res["errors"].append("legit %d: %s" % (i, errname(e) if e.errno else e))
            finally:
                s.close()
        legit_done.set()

    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, 20)
    sent = 0
    rnd = random.Random(1)
    lt = None
    t0 = time.monotonic()
    while True:
        if sent >= nsyn and (lt is None or legit_done.is_set()):
            break
        if time.monotonic() - t0 > FLOOD_LIMIT:
            res["errors"].append("flood cut off after %d s" % FLOOD_LIMIT)
            break
        if sent == 1000:
            lt = threading.Thread(target=legit, daemon=True)
            lt.start()
        sport = 20000 + sent % 20000
        seq = rnd.getrandbits(32)
        tcp = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 5 << 4, 0x02,
                          64240, 0, 0)
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, sent & 0xffff, 0, 64,
                         socket.IPPROTO_TCP, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        try:
            raw.sendto(ip + tcp, (host, 0))
        except OSError as e:
            if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
        sent += 1
        if sent % 200 == 0:
            sample()
            time.sleep(0)
    if lt is None:
        lt = threading.Thread(target=legit, daemon=True)
        lt.start()
    lt.join(nlegit * 11)
    sample()
    res["flood_secs"] = round(time.monotonic() - t0, 1)
    stop.set()
    time.sleep(0.3)
    ls.close()
    res.update(samples)
    res["sent"] = sent
    return res


def main(argv):
    return json_main(argv, __doc__, {
        "bulk": lambda a: cmd_bulk(a[0], a[1], int(a[2]), int(a[3]), a[4:]),
        "span": lambda a: cmd_span(a[0], a[1], int(a[2]), int(a[3]), a[4],
                                   a[5], a[6:]),
        "held": lambda a: cmd_held(a[0], a[1], int(a[2]), int(a[3]), a[4]),
        "refused": lambda a: cmd_refused(a[0], a[1:]),
        "scale": lambda a: cmd_scale(a[0], a[1], int(a[2]), int(a[3]), a[4:]),
        "flood": lambda a: cmd_flood(a[0], a[1], a[2], int(a[3]), int(a[4]),
                                     int(a[5]), a[6]),
    })


if __name__ == "__main__":
    sys.exit(main(sys.argv))
