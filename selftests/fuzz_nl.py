#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generic netlink fuzzing of the catoproxy family, for selftests/fuzz.sh.

  fuzz_nl.py N SEED RESULT [NOBODY_UID]

Sends N random messages to the family of the current network namespace
from this process (and, for a tenth of them each, from two children
without CAP_NET_ADMIN over it: one running as NOBODY_UID, default 65534,
one in a user namespace of its own), on raw netlink sockets: random
commands (the family's and any number), header flags (dump, ack, none,
others), genl versions, attribute trees built from the spec's attribute
sets with random types (known, unknown, flag bits), lengths (the right
one, short, long, empty, huge), values (bounds and around them), strings
with and without their NUL, nesting (with and without NLA_F_NESTED, deep),
and broken framing (an attribute longer than its message, shorter than its
header, a truncated tail). Some requests are well formed YNL encodings with
random values, so that some are accepted. Dumps of sites and rules (made
long first: 40 sites, 150 rules) are interrupted: the socket closed after
the first part, another request sent in the middle, the configuration
changed between two parts.

After every request the kernel refused (and every request of an
unprivileged child), the running configuration (GET_CONFIG, the site dump
and the rule dump, compared byte for byte) must be what it was before.
Asserts that (no change on a refusal), that at least N messages were
sent and that most privileged ones were refused; "#" lines summarise. Writes to RESULT one
JSON object: {"sent", "refused", "accepted", "no_answer",
"unpriv_sent", "unpriv_accepted", "dumps_interrupted", "changed_on_refusal"
(a list of the first offending requests), "errnos" (count per errno name),
"secs"}."""

import errno
import json
import os
import random
import socket
import struct
import sys
import time

from genl import Catoproxy, Raw, pfx, rule, site
from lib.py import ksft_eq, ksft_ge, ksft_main, ksft_pr
from lib.py.ynl import ynl_lib

YNL = ynl_lib()
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 1, 2, 4
NLM_F_DUMP = 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_DUMP_INTR = 0x10
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 0x8000, 0x4000
CLONE_NEWUSER = 0x10000000
NETLINK_GENERIC = 16

INTS = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "s8": 1, "s16": 2,
        "s32": 4, "s64": 8, "uint": 8, "sint": 8}


class Fuzzer:
    def __init__(self, cp, rnd):
        self.cp, self.rnd = cp, rnd
        y = cp.ynl
        self.fam = y.nlproto.genl_family["id"]
        self.sets = y.attr_sets
        self.ops = {name: m for name, m in y.msgs.items()}
        self.cmds = sorted({m.req_value for m in y.msgs.values()
                            if m.req_value is not None})
        self.seq = 0

    # ------------------------------------------------------- attributes

    def value(self, kind, size):
        r = self.rnd
        bound = (1 << (8 * size)) - 1
        v = r.choice([0, 1, 2, 3, 5, 31, 32, 33, 63, 64, 99, 100, 255, 256,
                      600000, 600001, 1000000, 1000001, 65535, 65536,
                      bound, bound - 1, r.getrandbits(8 * size)])
        return v & bound

    def scalar(self, kind):
        size = INTS[kind]
        r = self.rnd.random()
        if r < 0.75:
            return self.value(kind, size).to_bytes(size, "little")
        # the wrong width
        n = self.rnd.choice([0, 1, 2, 3, 4, 5, 7, 8, 9, 16])
        return os.urandom(n)

    def string(self):
        r = self.rnd
        n = r.choice([0, 1, 2, 8, 30, 31, 32, 33, 63, 253, 254, 255, 256,
                      r.randrange(1, 80)])
        alpha = r.choice([b"abcdefghijklmnopqrstuvwxyz", b"a.example-*",
                          bytes(range(256)), b"a."])
        s = bytes(r.choice(alpha) for _ in range(n))
        return s + (b"\0" if r.random() < 0.8 else b"")

    def binary(self, name):
        r = self.rnd
        if r.random() < 0.3 and name.endswith("ports"):
            k = r.choice([0, 1, 2, 16, 17, r.randrange(0, 20)])
            return struct.pack("=%dH" % k,
                               *(r.choice([0, 80, 443, 8080, 65535,
                                           r.getrandbits(16)])
                                 for _ in range(k)))
        n = r.choice([0, 1, 3, 4, 5, 15, 16, 17, 4096, 4097,
                      r.randrange(0, 64)])
        return os.urandom(n)

    def attrs(self, set_name, depth=0):
        r = self.rnd
        aset = self.sets[set_name]
        known = list(aset.attrs.values())
        top = max(a.value for a in known)
        out = b""
        for _ in range(r.choice([0, 1, 1, 2, 2, 3, 4, 6])):
            x = r.random()
            if x < 0.85:
                a = r.choice(known)
                atype, kind = a.value, a.type
            elif x < 0.95:
                a, atype, kind = None, top + r.randrange(1, 20), "binary"
            else:
                a, atype, kind = None, r.getrandbits(16), "binary"
            if kind in INTS:
                body = self.scalar(kind)
            elif kind == "string":
                body = self.string()
            elif kind == "nest" and depth < 4:
                sub = a.yaml.get("nested-attributes", set_name)
                if a.is_multi or r.random() < 0.3:
                    body = b"".join(self.attrs(sub, depth + 1)
                                    for _ in range(r.randrange(1, 4)))
                else:
                    body = self.attrs(sub, depth + 1)
                if r.random() < 0.8:
                    atype |= NLA_F_NESTED
            elif kind == "flag":
                body = b"" if r.random() < 0.8 else os.urandom(4)
            else:
                body = self.binary(a.name if a else "")
            if r.random() < 0.03:
                atype |= NLA_F_NET_BYTEORDER
            out += Raw.nla(atype & 0xffff, body)
        return out

    def frame_damage(self, payload):
        """Broken framing of the attribute stream (the message itself is
        well framed: the kernel must parse, not skip, what follows)."""
        r = self.rnd
        x = r.random()
        if x < 0.4 and payload:
            return payload[:r.randrange(len(payload))]   # truncated tail
        if x < 0.7:   # a header claiming more than there is
            return payload + struct.pack("=HH", r.choice([8, 64, 0xffff]),
                                         r.getrandbits(16)) + b"\0" * 2
        if x < 0.85:  # shorter than its own header
            return payload + struct.pack("=HH", r.choice([0, 1, 2, 3]),
                                         r.getrandbits(16))
        return os.urandom(r.randrange(1, 40))

    def valid_ish(self):
        """A YNL encoding of a plausible request with random values."""
        r = self.rnd
        name = r.choice(["set-config", "add-site", "del-site", "add-rule",
                         "del-rule", "set-rules"])
        a = "10.%d.%d.0" % (r.randrange(256), r.randrange(256))
        if name == "set-config":
            vals = r.choice([
                {"mode": r.choice(["full", "delayed", "adaptive", "off"])},
                {"server-timeout": r.choice([99, 100, 5000, 600000, 600001])},
                {"syn-backlog": r.choice([0, 1, 1000000, 1000001])},
                {"adaptive-ttl": r.choice([0, 1, 86400, 86401])},
                {"adaptive-size": r.choice([63, 64, 262144, 262145])},
                {"block-page": b"x" * r.choice([0, 1, 4096, 4097])},
                {"inspect-timeout": r.choice([99, 100, 60000, 60001])},
            ])
        elif name == "add-site":
            vals = {"site": site("f%d" % r.randrange(100),
                                 r.choice([None, "full", "off", "inherit"]),
                                 [pfx(a, r.choice([8, 16, 24, 32, 33]))])}
        elif name == "del-site":
            vals = {"site": site("f%d" % r.randrange(100), None, None)}
        elif name == "add-rule":
            vals = {"rule": rule(r.choice(["allow", "block", "bypass"]),
                                 dst=a + "/" + str(r.choice([16, 24, 25])),
                                 dport=(r.randrange(1, 65536),),
                                 pos=r.choice([None, 1, 2, 700]))}
        elif name == "del-rule":
            vals = {"rule": rule(rid=r.randrange(1, 2000))}
        else:
            vals = {"rule": [rule("block", dport=(r.randrange(1, 65536),))
                             for _ in range(r.randrange(0, 3))]}
        op = self.ops[name]
        body = b""
        for k, v in vals.items():
            if isinstance(v, list):
                for item in v:
                    body += Raw(self.cp.ynl).attr(op.attr_set.name, k, item)
            else:
                body += Raw(self.cp.ynl).attr(op.attr_set.name, k, v)
        return op.req_value, body

    def message(self):
        """(cmd, flags, version, payload) of one random request."""
        r = self.rnd
        if r.random() < 0.15:
            cmd, payload = self.valid_ish()
        else:
            cmd = r.choice(self.cmds) if r.random() < 0.8 else \
                r.randrange(256)
            payload = self.attrs(r.choice(["catoproxy"] * 6 +
                                          list(self.sets)))
            if r.random() < 0.1:
                payload = self.frame_damage(payload)
        flags = NLM_F_REQUEST | NLM_F_ACK
        if r.random() < 0.15:
            flags |= NLM_F_DUMP
        if r.random() < 0.03:
            flags |= r.getrandbits(16) & ~NLM_F_REQUEST
        version = 1 if r.random() < 0.9 else r.choice([0, 2, 255])
        return cmd, flags, version, payload

    def frame(self, cmd, flags, version, payload, ftype=None):
        self.seq += 1
        body = struct.pack("=HHII", self.fam if ftype is None else ftype,
                           flags, self.seq, 0) + \
            struct.pack("=BBH", cmd, version, 0) + payload
        return struct.pack("=I", 4 + len(body)) + body


# --------------------------------------------------------------- sockets

def nlsock():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                      NETLINK_GENERIC)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((0, 0))
    s.settimeout(2.0)
    return s


def messages(data):
    """(type, flags, seq, payload) of each netlink message in data."""
    off = 0
    while off + 16 <= len(data):
        ln, typ, flags, seq, _ = struct.unpack_from("=IHHII", data, off)
        if ln < 16:
            break
        yield typ, flags, seq, data[off + 16:off + ln]
        off += (ln + 3) & ~3


def transact(s, msg, seq, parts=None):
    """Send msg; read until its ack, error or dump end. Returns the errno
    (0 for success), None when nothing came within the timeout. PARTS:
    list collecting the payloads of data messages."""
    s.send(msg)
    while True:
        try:
            data = s.recv(1 << 20)
        except socket.timeout:
            return None
        for typ, flags, mseq, payload in messages(data):
            if mseq != seq:
                continue
            if typ == NLMSG_ERROR:
                return -struct.unpack_from("=i", payload)[0]
            if typ == NLMSG_DONE:
                return 0
            if parts is not None:
                parts.append(payload)
            if not flags & NLM_F_MULTI:
                # a do's answer: the ack follows when asked for
                continue


class Snap:
    """The running configuration in raw bytes."""

    def __init__(self, fz):
        self.fz, self.s = fz, nlsock()
        y = fz.cp.ynl
        self.req = [(y.msgs["get-config"].req_value, NLM_F_REQUEST |
                     NLM_F_ACK),
                    (y.msgs["get-site"].req_value, NLM_F_REQUEST | NLM_F_DUMP),
                    (y.msgs["get-rule"].req_value, NLM_F_REQUEST | NLM_F_DUMP)]

    def take(self):
        out = []
        for cmd, flags in self.req:
            for _ in range(5):
                parts = []
                msg = self.fz.frame(cmd, flags, 1, b"")
                err = transact(self.s, msg, self.fz.seq, parts)
                if err != 0 and err is not None:
                    raise OSError(err, "snapshot request %d" % cmd)
                if err == 0:
                    break
            out.append(b"".join(parts))
        return b"|".join(out)


# ------------------------------------------------------ interrupted dumps

def refill(fz, changer):
    """150 rules again (random requests keep replacing the list): a rule
    dump of several parts."""
    cmd = fz.cp.ynl.msgs["set-rules"].req_value
    transact(changer, fz.frame(cmd, NLM_F_REQUEST | NLM_F_ACK, 1,
                               fz.rules_body), fz.seq)


def interrupted_dump(fz, snap, changer):
    """A dump of sites or rules cut short: closed after the first part,
    or another request sent before reading on, or the configuration
    changed (by CHANGER, a privileged socket) between two parts."""
    r = fz.rnd
    y = fz.cp.ynl
    cmd = y.msgs[r.choice(["get-site", "get-rule", "get-conn"])].req_value
    s = nlsock()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    how = r.choice(["close", "interleave", "change"])
    refill(fz, changer)
    s.send(fz.frame(cmd, NLM_F_REQUEST | NLM_F_DUMP, 1, b""))
    intr = 0
    try:
        s.recv(1 << 16)
        if how == "interleave":
            c2, f2, v2, p2 = fz.message()
            s.send(fz.frame(c2, f2, v2, p2))
        elif how == "change":
            rid_cmd = y.msgs["add-rule"].req_value
            body = Raw(y).attr("catoproxy", "rule",
                               rule("bypass", dport=(r.randrange(1, 65536),)))
            transact(changer, fz.frame(rid_cmd, NLM_F_REQUEST | NLM_F_ACK,
                                       1, body), fz.seq)
        if how != "close":
            for _ in range(200):
                data = s.recv(1 << 16)
                end = False
                for typ, flags, _, _ in messages(data):
                    intr |= flags & NLM_F_DUMP_INTR
                    end |= typ in (NLMSG_DONE, NLMSG_ERROR)
                if end:
                    break
    except (socket.timeout, OSError):
        pass
    s.close()
    return how, intr


# ------------------------------------------------------- unprivileged

def unpriv_child(kind, uid, seed, n, wfd, rfd):
    """Child: drop CAP_NET_ADMIN over the namespace (uid NOBODY, or a user
    namespace of its own), then send N messages, each followed by its
    errno on WFD and a wait for the parent's go on RFD."""
    try:
        if kind == "nobody":
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        else:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(CLONE_NEWUSER):
                raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER)")
        cp = Catoproxy()
        fz = Fuzzer(cp, random.Random(seed))
        s = nlsock()
        for _ in range(n):
            msg = fz.frame(*fz.message())
            err = transact(s, msg, fz.seq)
            os.write(wfd, struct.pack("=i", -1 if err is None else err))
            os.read(rfd, 1)
        os._exit(0)
    except BaseException as e:  # noqa: B036 - report anything, then exit
        sys.stderr.write("unprivileged child (%s): %r\n" % (kind, e))
        os._exit(1)


def run_unpriv(kind, uid, seed, n, snap, res):
    c2p_r, c2p_w = os.pipe()
    p2c_r, p2c_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(c2p_r)
        os.close(p2c_w)
        unpriv_child(kind, uid, seed, n, c2p_w, p2c_r)
    os.close(c2p_w)
    os.close(p2c_r)
    before = snap.take()
    got = 0
    while True:
        b = os.read(c2p_r, 4)
        if len(b) < 4:
            break
        err = struct.unpack("=i", b)[0]
        got += 1
        res["unpriv_sent"] += 1
        name = errno.errorcode.get(err, str(err)) if err > 0 else \
            ("OK" if err == 0 else "none")
        res["errnos"]["unpriv:" + name] = \
            res["errnos"].get("unpriv:" + name, 0) + 1
        if err == 0:
            res["unpriv_accepted"] += 1
        now = snap.take()
        if now != before:
            res["changed_on_refusal"].append("%s #%d errno %d" %
                                             (kind, got, err))
            before = now
        os.write(p2c_w, b"g")
    os.close(c2p_r)
    os.close(p2c_w)
    _, st = os.waitpid(pid, 0)
    if st != 0 or got != n:
        res["child_failed"].append("%s: status %d, %d of %d" %
                                   (kind, st, got, n))


# ----------------------------------------------------------------- main

def setup(cp):
    """Dumps of several parts: 40 sites, 150 rules. Returns the rules'
    SET_RULES payload."""
    for i in range(40):
        cp.do("add-site", {"site": site("fz%d" % i, "delayed",
                                        [pfx("10.200.%d.0" % i, 24)])})
    cmd = cp.ynl.msgs["set-rules"].req_value
    body = b"".join(Raw(cp.ynl).attr("catoproxy", "rule",
                                     rule("block", dst="10.201.%d.%d/32" %
                                          (i >> 8, i & 255), dport=(80 + i,)))
                    for i in range(150))
    cp.ynl.sock.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)
    cp.raw(cmd, body)
    return body


def fuzz(n, seed, result, uid=65534):
    n, seed, uid = int(n), int(seed), int(uid)
    rnd = random.Random(seed)
    cp = Catoproxy()
    body = setup(cp)
    fz = Fuzzer(cp, rnd)
    fz.rules_body = body
    snap = Snap(fz)
    s, changer = nlsock(), nlsock()
    res = {"sent": 0, "refused": 0, "accepted": 0, "no_answer": 0,
           "unpriv_sent": 0, "unpriv_accepted": 0, "dumps_interrupted": 0,
           "dump_intr_flag": 0, "changed_on_refusal": [],
           "child_failed": [], "errnos": {}}
    t0 = time.monotonic()
    n_unpriv = n // 10
    n_priv = n - 2 * n_unpriv
    before = snap.take()
    ksft_eq(before, snap.take(), "the snapshot is stable at rest")
    for i in range(n_priv):
        if i and i % 10000 == 0:
            ksft_pr("%d privileged messages in %.0f s" %
                    (i, time.monotonic() - t0))
            sys.stdout.flush()
        if rnd.random() < 0.01:
            how, intr = interrupted_dump(fz, snap, changer)
            res["dumps_interrupted"] += 1
            res["dump_intr_flag"] += bool(intr)
            before = snap.take()
            continue
        cmd, flags, version, payload = fz.message()
        msg = fz.frame(cmd, flags, version, payload)
        try:
            err = transact(s, msg, fz.seq)
        except OSError as e:  # refused before the family saw it
            err = e.errno
        res["sent"] += 1
        if err is None:
            res["no_answer"] += 1
            s.close()
            s = nlsock()
            before = snap.take()
            continue
        name = "OK" if err == 0 else errno.errorcode.get(err, str(err))
        res["errnos"][name] = res["errnos"].get(name, 0) + 1
        if err == 0:
            res["accepted"] += 1
            before = snap.take()
            continue
        res["refused"] += 1
        now = snap.take()
        if now != before and len(res["changed_on_refusal"]) < 20:
            res["changed_on_refusal"].append(
                "#%d cmd %d flags %#x v%d errno %s payload %s" %
                (i, cmd, flags, version, name, payload[:64].hex()))
        before = now
    for kind, sd in (("nobody", seed + 1), ("userns", seed + 2)):
        run_unpriv(kind, uid, sd, n_unpriv, snap, res)
    res["secs"] = round(time.monotonic() - t0, 1)
    with open(result, "w") as f:
        json.dump(res, f, sort_keys=True)
    total = res["sent"] + res["unpriv_sent"] + res["dumps_interrupted"]
    ksft_pr("%d messages in %.0f s: %d privileged (%d refused, %d "
            "accepted, %d unanswered), %d unprivileged (%d accepted), %d "
            "dumps interrupted (%d flagged NLM_F_DUMP_INTR)" %
            (total, res["secs"], res["sent"], res["refused"],
             res["accepted"], res["no_answer"], res["unpriv_sent"],
             res["unpriv_accepted"], res["dumps_interrupted"],
             res["dump_intr_flag"]))
    ksft_pr("errnos: %s" % json.dumps(res["errnos"], sort_keys=True))
    ksft_ge(total, n, "messages sent")
    ksft_eq([], res["changed_on_refusal"],
            "configuration changed by a refused request")
    ksft_eq([], res["child_failed"], "unprivileged children")
    ksft_eq(2 * n_unpriv, res["unpriv_sent"], "unprivileged messages")
    ksft_ge(res["refused"], n_priv // 2, "most random requests refused")


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 1
    return ksft_main(fuzz, *argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
