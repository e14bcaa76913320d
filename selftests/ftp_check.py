#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""FTP through a router whose firewall lets data connections in only as
RELATED, i.e. only by nf_conntrack_ftp's expectations (tracking.sh). One
run; "#" diagnostics and failures on stdout, exit code 1 when an assert
failed.

  ftp_check.py run CLIENT ROUTER SERVER NAT MODES C4 C6 S4 S6
        An FTP server (pyftpdlib, anonymous, writable) on S4 and S6 port
        21 in SERVER. Per mode of MODES (comma separated), set on the
        router, and per family: one FTP session from CLIENT that
        downloads a file passively (PASV/EPSV), uploads one passively and
        downloads one actively (PORT/EPRT: the server opens the data
        connection toward the client). Every byte compared. NAT ("nat" or
        "plain") says whether the router masquerades toward the server
        (then nf_nat_ftp rewrites PORT/EPRT).
        Router counters per mode: the control connections are another
        helper's, so full mode does not intercept them (conn_helper_busy 1
        per session), the other modes follow them; the 3 data connections per session are
        decided like any other connection: full intercepts and joins all
        of them (syn_intercepted, server_open_ok); nothing is counted as
        dropped, refused or reset.
"""

import ftplib
import io
import os
import sys
import tempfile
import threading

from lib.py import check_main, ctl, ctl_stats, ksft_eq, ksft_pr, netns

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import FTPServer

PORT = 21
SIZE = 300 * 1024
DATA_CONNS = 3

# Counters that must not move: a drop, a refusal or a reset of an FTP
# connection by the module.
BAD = ("invalid_dropped", "rst_out_of_window", "rst_challenge_dropped",
       "held_dropped", "tx_failed", "server_open_failed", "server_timeout",
       "client_timeout", "conn_attach_failed", "server_syn_dropped")


class Quiet(FTPHandler):
    # nf_nat_ftp writes EPRT's IPv6 address unabbreviated, which pyftpdlib
    # compares as a string with the control connection's peer.
    permit_foreign_addresses = True

    def log(self, *a, **kw):
        pass

    def logline(self, *a, **kw):
        pass

    def logerror(self, *a, **kw):
        pass


def serve(ns, addrs, root, ready):
    """The servers' I/O loop in this thread, which stays in ns: passive
    listeners and active data connections are opened from it."""
    with netns(ns):
        auth = DummyAuthorizer()
        auth.add_anonymous(root, perm="elrw")
        Quiet.authorizer = auth
        loop = IOLoop()
        servers = [FTPServer((a, PORT), Quiet, ioloop=loop) for a in addrs]
        ready.set()
        try:
            loop.loop(timeout=0.2, blocking=True)
        finally:
            for s in servers:
                s.close_all()


def session(ns, host, root, blob, tag):
    """One FTP session from ns to host; a list of what went wrong."""
    errs = []
    up = os.urandom(SIZE // 2)
    name = "up-%s" % tag
    with netns(ns):
        f = ftplib.FTP(timeout=15)
        try:
            f.connect(host, PORT)
            f.login()
            for pasv, what in ((True, "passive RETR"), (False, "active RETR")):
                f.set_pasv(pasv)
                buf = io.BytesIO()
                try:
                    f.retrbinary("RETR blob", buf.write)
                except (OSError, ftplib.Error) as e:
                    errs.append("%s: %s" % (what, e))
                    continue
                if buf.getvalue() != blob:
                    errs.append("%s: %d bytes, content differs"
                                % (what, len(buf.getvalue())))
            f.set_pasv(True)
            try:
                f.storbinary("STOR " + name, io.BytesIO(up))
                with open(os.path.join(root, name), "rb") as h:
                    if h.read() != up:
                        errs.append("passive STOR: content differs")
            except (OSError, ftplib.Error) as e:
                errs.append("passive STOR: %s" % e)
            f.quit()
        except (OSError, ftplib.Error) as e:
            errs.append("session: %s" % e)
        finally:
            f.close()
    return errs


def delta(s0, s1):
    return {k: s1[k] - s0.get(k, 0) for k in s1 if s1[k] != s0.get(k, 0)}


def cmd_run(client, router, server, nat, modes, c4, c6, s4, s6):
    root = tempfile.mkdtemp(prefix="ftp-")
    blob = os.urandom(SIZE)
    with open(os.path.join(root, "blob"), "wb") as h:
        h.write(blob)
    ready = threading.Event()
    # a daemon: the process ends with its last check
    t = threading.Thread(target=serve, args=(server, (s4, s6), root, ready),
                         daemon=True)
    t.start()
    if not ready.wait(10):
        ksft_eq(True, False, "ftp server started")
        return
    for mode in modes.split(","):
        desc = "%s, mode %s" % (nat, mode)
        ctl("set", "mode", mode, ns=router)
        s0 = ctl_stats(ns=router)
        for host in (s4, s6):
            errs = session(client, host, root, blob,
                           "%s-%s-%s" % (nat, mode, host))
            ksft_eq([], errs, "%s: FTP session to %s" % (desc, host))
        s1 = ctl_stats(ns=router)
        d = delta(s0, s1)
        ksft_pr("%s: counters moved: %s" % (desc, d))
        sessions = 2
        want = {k: 0 for k in BAD}
        # Another helper stops only an interception; delayed and adaptive
        # follow the control connection like any other.
        want["conn_helper_busy"] = sessions if mode == "full" else 0
        if mode == "full":
            want.update(syn_intercepted=DATA_CONNS * sessions,
                        server_open_ok=DATA_CONNS * sessions,
                        conn_full=DATA_CONNS * sessions)
        ksft_eq(want, {k: d.get(k, 0) for k in want},
                "%s: router counters" % desc)


def main(argv):
    return check_main(argv, __doc__, {"run": cmd_run})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
