# SPDX-License-Identifier: GPL-2.0
"""Sockets for the selftests: one listener, one echo server, one hold.

Every socket can be opened in a test namespace (netns()), so that both ends
of a connection live in one process and no server process has to be
started and synchronised with."""

import errno
import os
import socket
import struct
import sys
import threading
import time

from .netns import netns

__all__ = ["fam_of", "target", "errname", "recv_exact", "recv_all",
           "next_recv", "echo_once", "write_atomic", "listener",
           "client_socket", "linger0", "tcpi_options", "TCPI_OPT_TIMESTAMPS",
           "TCPI_OPT_SACK", "TCPI_OPT_WSCALE", "TCPI_OPT_ECN",
           "TCPI_OPT_SYN_DATA", "peer_key", "md5_key", "EchoServer",
           "serve_forever", "hold"]

TCP_MD5SIG = 14
MD5_KEY = b"catoproxy-selftest-md5"


def fam_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def target(spec):
    """"HOST,PORT" -> (family, host, port)."""
    host, port = spec.rsplit(",", 1)
    return fam_of(host), host, int(port)


def errname(e):
    """An exception as a short word: "timeout", "ECONNRESET", ..."""
    if isinstance(e, socket.timeout):
        return "timeout"
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


def recv_exact(s, n, h=None):
    """n bytes from s; with a hash h, they go into h and b"" is returned."""
    got = bytearray()
    k = 0
    while k < n:
        d = s.recv(min(1 << 16, n - k))
        if not d:
            raise OSError("eof after %d of %d bytes" % (k, n))
        k += len(d)
        if h is not None:
            h.update(d)
        else:
            got += d
    return bytes(got)


def recv_all(s):
    """Everything s receives until EOF."""
    buf = bytearray()
    while True:
        d = s.recv(65536)
        if not d:
            return bytes(buf)
        buf += d


def next_recv(s):
    """What the next recv() on s gives: "data", "eof" or the error."""
    try:
        return "data" if s.recv(100) else "eof"
    except OSError as e:
        return errname(e)


def echo_once(s, msg=b"ping\n"):
    """Send msg on s and read it back: OSError unless it comes back."""
    s.sendall(msg)
    got = recv_exact(s, len(msg))
    if got != msg:
        raise OSError("bad echo %r" % got)


def write_atomic(path, text):
    """path holds text, all at once: a reader polling for it never sees
    half of it."""
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def listener(ns, port, backlog=4096):
    """A TCP listener on [::]:port (IPv4 and IPv6) in netns ns."""
    with netns(ns):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        s.listen(backlog)
    return s


def client_socket(ns, host):
    with netns(ns):
        return socket.socket(fam_of(host), socket.SOCK_STREAM)


def md5_sockaddr(host, v6):
    """A struct sockaddr_storage for host, port 0; on an IPv6 socket an
    IPv4 host is v4-mapped."""
    if v6 and ":" not in host:
        host = "::ffff:" + host
    if v6:
        sa = struct.pack("=H", socket.AF_INET6) + bytes(6) + \
            socket.inet_pton(socket.AF_INET6, host) + bytes(4)
    else:
        sa = struct.pack("=H", socket.AF_INET) + bytes(2) + \
            socket.inet_pton(socket.AF_INET, host)
    return sa + bytes(128 - len(sa))


def md5_key(s, peer, key=MD5_KEY):
    """struct tcp_md5sig: s signs what it sends to peer and wants what it
    gets from peer signed, with key (TCP-MD5, RFC 2385)."""
    s.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG,
                 md5_sockaddr(peer, s.family == socket.AF_INET6) +
                 struct.pack("=BBHi", 0, 0, len(key), 0) +
                 key + bytes(80 - len(key)))


def linger0(s):
    """close() sends an RST."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 struct.pack("ii", 1, 0))


# struct tcp_info's tcpi_options bits (include/uapi/linux/tcp.h)
TCPI_OPT_TIMESTAMPS = 1
TCPI_OPT_SACK = 2
TCPI_OPT_WSCALE = 4
TCPI_OPT_ECN = 8
TCPI_OPT_SYN_DATA = 32


def tcpi_options(s):
    """The options the socket's connection runs with (TCPI_OPT_*)."""
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)[5]


def serve_forever(lsock, handler):
    """Accept connections on lsock, one thread each running handler(conn),
    until lsock closes."""
    def loop():
        while True:
            try:
                c, _ = lsock.accept()
            except OSError:
                return
            threading.Thread(target=handler, args=(c,), daemon=True).start()
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    return t


def peer_key(addr):
    """(host, port) of an accepted socket's peer, v4-mapped unmapped."""
    h = addr[0]
    if h.startswith("::ffff:"):
        h = h[7:]
    return h, addr[1]


class EchoServer:
    """Accepts on [::]:port in ns and echoes on every connection, one thread
    each. Remembers, per peer (host, port), how each of its connections
    ended ("open" while it lives, "eof", or the error: "ECONNRESET", ...).
    With idle, a connection quiet for idle seconds is closed."""

    def __init__(self, ns, port, backlog=256, idle=None, md5_peers=()):
        self.ls = listener(ns, port, backlog)
        for peer in md5_peers:
            md5_key(self.ls, peer)
        self.idle = idle
        self.lock = threading.Lock()
        self.conns = {}     # peer -> [{"sock", "status"}...], accept order
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while True:
            try:
                c, a = self.ls.accept()
            except OSError:
                return
            st = {"sock": c, "status": "open"}
            with self.lock:
                self.conns.setdefault(peer_key(a), []).append(st)
            threading.Thread(target=self._echo, args=(st,),
                             daemon=True).start()

    def _echo(self, st):
        c = st["sock"]
        try:
            c.settimeout(self.idle)
            while True:
                d = c.recv(4096)
                if not d:
                    st["status"] = "eof"
                    break
                c.sendall(d)
        except OSError as e:
            st["status"] = errname(e)
        if self.idle is not None:
            c.close()

    def wait_conn(self, peer, n=1, timeout=10.0):
        """The n-th connection accepted from peer (1-based), or None."""
        end = time.monotonic() + timeout
        while True:
            with self.lock:
                lst = self.conns.get(peer, [])
                if len(lst) >= n:
                    return lst[n - 1]
            if time.monotonic() >= end:
                return None
            time.sleep(0.01)

    def close(self, abort=True):
        """Close every connection, by default with an RST: an orphaned FIN
        would be retransmitted into the next test's counters."""
        self.ls.close()
        with self.lock:
            for lst in self.conns.values():
                for st in lst:
                    try:
                        if abort:
                            linger0(st["sock"])
                        st["sock"].close()
                    except OSError:
                        pass


def source_for(ns, host):
    """The address netns ns sends from to host."""
    with netns(ns):
        u = socket.socket(fam_of(host), socket.SOCK_DGRAM)
    try:
        u.connect((host, 9))
        return u.getsockname()[0]
    finally:
        u.close()


def hold(targets, count, readyfile, gofile, resultfile, cns=None, sns=None,
         timeout=10.0, ping_timeout=None, ping=True, portsfile=None,
         md5=False):
    """Long-lived connections across an event (an unload, say).

    Opens count connections from netns cns to each (family, host, port) of
    targets and has each echo a line (unless not ping); with sns, the echo
    server runs here, in netns sns, on the targets' port. Then writes their
    local ports to portsfile (if given, on one line), "OPEN FAILED" to
    readyfile, waits for gofile, and, with a resultfile, has each open
    connection echo a line again (within ping_timeout s, default timeout)
    and writes "ALIVE RESET" to it: echoed, and reset (an RST or an EOF
    instead of the echo). With md5, both ends sign every segment
    (TCP-MD5)."""
    if sns:
        EchoServer(sns, targets[0][2], md5_peers=[
            source_for(cns, t[1]) for t in targets] if md5 else ())
    conns = []
    errors = 0
    for fam, host, port in targets:
        for _ in range(count):
            with netns(cns):
                s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(timeout)
            try:
                if md5:
                    md5_key(s, host)
                s.connect((host, port))
                if ping:
                    echo_once(s)
                conns.append(s)
            except OSError as e:
                errors += 1
                print("hold: connect %s,%d: %s" % (host, port, errname(e)),
                      file=sys.stderr)
                s.close()
    if portsfile:
        write_atomic(portsfile, " ".join(str(s.getsockname()[1])
                                          for s in conns) + "\n")
    write_atomic(readyfile, "%d %d\n" % (len(conns), errors))
    while not os.path.exists(gofile):
        time.sleep(0.05)
    if not resultfile:
        for s in conns:
            s.close()
        return len(conns), 0
    alive = reset = 0
    for s in conns:
        s.settimeout(ping_timeout or timeout)
        try:
            s.sendall(b"ping\n")
            data = s.recv(4096)
            if data == b"ping\n":
                alive += 1
            elif not data:
                reset += 1
        except (ConnectionResetError, BrokenPipeError):
            reset += 1
        except OSError as e:
            print("hold: held connection: %s" % errname(e), file=sys.stderr)
        s.close()
    write_atomic(resultfile, "%d %d\n" % (alive, reset))
    return alive, reset
