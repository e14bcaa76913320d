#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink client for the catoproxy selftests (stdlib only).

It talks to the kernel without catoproxyctl, so the tests can send requests
the CLI would never build and check that the kernel itself rejects them.

  genl.py family NAME         resolve a family through nlctrl, print JSON
  genl.py config              GET_CONFIG, print JSON
  genl.py stats               GET_STATS, print JSON (counters by number)
  genl.py sites               GET_SITE dump, print JSON
  genl.py cases [CASE...]     send malformed requests (all when none named)
                              or named well-formed ones (VALID below),
                              one line per case, tab separated:
                              CASE ERRNO ERRNAME CHANGED MISSING EXTACK
                              CHANGED is 1 when GET_CONFIG + site dump
                              differ after the request; MISSING is the
                              missing attribute's type the kernel reported
                              (TYPE@OFFSET of its nest), or "-". The "dup" cases
                              expect a site "keep" owning 10.99.0.0/16.
  genl.py fill PREFIX N       add sites PREFIX0..PREFIX(N-1), one /32 each
                              from 198.18.0.0/15; prints "added K errno E
                              ERRNAME extack" for the first failure
  genl.py join GROUP          join catoproxy's multicast GROUP, print
                              "joined GROUP" (exit 2 when refused)
  genl.py list-cases          print the case names
  genl.py rules               GET_RULE dump, print JSON
  genl.py set-rules N [PORT]  SET_RULES with N rules, each blocking one
                              /32 destination from 198.18.0.0/15 (on
                              PORT, default any); prints "errno E ERRNAME
                              extack" ("errno 0 OK" on success)
  genl.py rewrite COUNT GAP_MS LIST_A LIST_B
                              SET_RULES COUNT times, alternating LIST_A and
                              LIST_B, GAP_MS apart, in one process; after
                              each, one JSON line with the version number,
                              the list's name and the ids it got. A LIST is
                              rules separated by ";", each ACTION and then
                              ":KEY=VALUE" for src, dst (CIDR), sport,
                              dport (P or P-Q), e.g.
                              "allow:src=10.0.1.2/32:dport=8080;block"

Exit status: 0 when the requests could be sent, 3 when the family is
missing, 1 on usage errors.
"""

import errno
import json
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_DUMP_INTR = 0x10
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3FFF

SO_SNDBUFFORCE = 32  # asm-generic/socket.h
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_VERSION = 3
CTRL_ATTR_HDRSIZE = 4
CTRL_ATTR_MAXATTR = 5
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2

# uapi/linux/catoproxy.h
FAMILY = "catoproxy"
VERSION = 1
MODE_INHERIT, MODE_FULL, MODE_DELAYED, MODE_ADAPTIVE, MODE_OFF = range(5)
MODES = ["inherit", "full", "delayed", "adaptive", "off"]
(CMD_GET_CONFIG, CMD_SET_CONFIG, CMD_GET_STATS, CMD_ADD_SITE, CMD_DEL_SITE,
 CMD_GET_SITE, CMD_EVENT, CMD_GET_CONN, CMD_ADD_RULE, CMD_DEL_RULE,
 CMD_SET_RULES, CMD_GET_RULE) = range(1, 13)
(A_MODE, A_TLS_INSPECTION, A_BLOCKED_SYN, A_CHALLENGE_ACK, A_SITE_COUNT,
 A_STATS, A_SITE, A_SERVER_TIMEOUT, A_SYN_BACKLOG, A_CONN,
 A_FORCE_FULL_PORTS, A_ADAPTIVE_TTL, A_ADAPTIVE_SIZE,
 A_ADAPTIVE_ENTRIES, A_RULE, A_RULE_COUNT, A_BLOCK_PAGE_PORTS,
 A_BLOCK_PAGE) = range(1, 19)
A_MAX = A_BLOCK_PAGE
(RULE_A_ID, RULE_A_POS, RULE_A_SRC, RULE_A_DST, RULE_A_SPORT_MIN,
 RULE_A_SPORT_MAX, RULE_A_DPORT_MIN, RULE_A_DPORT_MAX, RULE_A_ACTION,
 RULE_A_HITS, RULE_A_PAD) = range(1, 12)
ACTIONS = ["allow", "block", "bypass"]
RULES_MAX = 65536
BLOCK_PAGE_MAX = 4096
(CONN_A_FAMILY, CONN_A_SADDR, CONN_A_DADDR, CONN_A_SPORT, CONN_A_DPORT,
 CONN_A_MODE, CONN_A_ACCEL, CONN_A_REASON, CONN_A_SITE_ID, CONN_A_STATE,
 CONN_A_EVENT, CONN_A_CAUSE, CONN_A_SITE_NAME, CONN_A_RULE_ID) = range(1, 15)
FORCE_PORTS_MAX = 16
(SITE_A_ID, SITE_A_NAME, SITE_A_MODE, SITE_A_EFFECTIVE_MODE,
 SITE_A_PREFIXES) = range(1, 6)
PREFIXES_A_PREFIX = 1
PREFIX_A_FAMILY, PREFIX_A_ADDR, PREFIX_A_PLEN = range(1, 4)
STAT_NAMES = {2: "conn_tracked", 3: "conn_full", 4: "conn_delayed",
              5: "conn_adaptive", 6: "conn_off", 7: "conn_helper_busy",
              8: "conn_attach_failed", 9: "conn_released",
              10: "syn_intercepted", 11: "synack_retransmitted",
              12: "server_open_ok", 13: "server_open_failed",
              14: "server_timeout", 15: "server_syn_retransmitted",
              16: "cookie_mode_syns", 17: "cookie_valid",
              18: "cookie_invalid", 19: "held_segments", 20: "held_dropped",
              21: "tx_failed", 22: "client_timeout",
              23: "delayed_engaged", 24: "adaptive_full",
              25: "adaptive_delayed", 26: "adaptive_learned",
              27: "adaptive_evicted", 28: "adaptive_forgotten",
              29: "rst_out_of_window", 30: "challenge_ack_seen",
              31: "rst_challenge_allowed", 32: "rst_challenge_dropped",
              33: "challenge_ack_sent", 34: "challenge_ack_ratelimited",
              35: "server_challenge_reset", 36: "invalid_dropped",
              37: "conn_bypassed", 38: "blocked_handshake",
              39: "blocked_page_sent", 40: "blocked_reset_sent",
              41: "blocked_syn_dropped", 42: "blocked_dropped"}


class FamilyMissing(Exception):
    pass


# ---------------------------------------------------------------- attributes

def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def nla_u8(atype, v):
    return nla(atype, struct.pack("=B", v))


def nla_u16(atype, v):
    return nla(atype, struct.pack("=H", v))


def nla_u32(atype, v):
    return nla(atype, struct.pack("=I", v))


def nla_str(atype, s):
    return nla(atype, s.encode() + b"\0")


def nla_nest(atype, *children):
    return nla(atype | NLA_F_NESTED, b"".join(children))


def parse_attrs(data):
    """List of (type, payload) in order; type without the flag bits."""
    out = []
    off = 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, off)
        if alen < 4 or off + alen > len(data):
            break
        out.append((atype & NLA_TYPE_MASK, data[off + 4:off + alen]))
        off += (alen + 3) & ~3
    return out


def attr_dict(data):
    d = {}
    for t, p in parse_attrs(data):
        d[t] = p
    return d


def u8(p):
    return struct.unpack_from("=B", p)[0]


def u16(p):
    return struct.unpack_from("=H", p)[0]


def u32(p):
    return struct.unpack_from("=I", p)[0]


def u64(p):
    return struct.unpack_from("=Q", p)[0]


def u16_array(ports):
    """CATOPROXY_A_FORCE_FULL_PORTS' payload: u16s in host order."""
    return struct.pack("=%dH" % len(ports), *ports)


def cstr(p):
    return p.split(b"\0", 1)[0].decode(errors="replace")


# ------------------------------------------------------------------- socket

class NlError(Exception):
    def __init__(self, err, extack, miss=""):
        super().__init__(err, extack)
        self.errno = err
        self.extack = extack
        self.miss = miss


def errname(err):
    if err == 0:
        return "OK"
    if err == errno.EOPNOTSUPP:  # errorcode says ENOTSUP, the same value
        return "EOPNOTSUPP"
    return errno.errorcode.get(err, str(err))


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1000

    def close(self):
        self.sock.close()

    def _send(self, family, cmd, payload, flags, version):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        hdr = struct.pack("=IHHII", 16 + len(body), family, flags, self.seq, 0)
        self.sock.send(hdr + body)
        return self.seq

    @staticmethod
    def _parse_error(msg, mflags):
        """errno, extack message, missing attribute ("TYPE@NESTOFFSET")"""
        err = -struct.unpack_from("=i", msg, 16)[0]
        extack = miss = ""
        if mflags & NLM_F_ACK_TLVS:
            # struct nlmsgerr: error + the request's header, plus its
            # payload unless the ack was capped.
            olen = struct.unpack_from("=I", msg, 20)[0]
            skip = 20 + (16 if mflags & NLM_F_CAPPED else olen)
            skip = (skip + 3) & ~3
            tlv = attr_dict(msg[skip:])
            if NLMSGERR_ATTR_MSG in tlv:
                extack = cstr(tlv[NLMSGERR_ATTR_MSG])
            if NLMSGERR_ATTR_MISS_TYPE in tlv:
                miss = str(u32(tlv[NLMSGERR_ATTR_MISS_TYPE]))
                if NLMSGERR_ATTR_MISS_NEST in tlv:
                    # offset of the nest in the request, from its nlmsghdr
                    miss += "@%d" % u32(tlv[NLMSGERR_ATTR_MISS_NEST])
        return err, extack, miss

    def request(self, family, cmd, payload=b"", dump=False, version=VERSION):
        """Return the list of reply payloads (after the genl header).
        Raises NlError on a negative ack; sets self.dump_intr."""
        flags = NLM_F_REQUEST | NLM_F_ACK
        if dump:
            flags |= NLM_F_DUMP
        seq = self._send(family, cmd, payload, flags, version)
        replies = []
        self.dump_intr = False
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                mlen, mtype, mflags, mseq, _ = struct.unpack_from("=IHHII",
                                                                  data, off)
                if mlen < 16:
                    raise RuntimeError("short netlink message")
                msg = data[off:off + mlen]
                off += (mlen + 3) & ~3
                if mseq != seq:
                    continue
                if mflags & NLM_F_DUMP_INTR:
                    self.dump_intr = True
                if mtype == NLMSG_ERROR:
                    err, extack, miss = self._parse_error(msg, mflags)
                    if err:
                        raise NlError(err, extack, miss)
                    return replies
                if mtype == NLMSG_DONE:
                    err = -struct.unpack_from("=i", msg, 16)[0] \
                        if mlen >= 20 else 0
                    if err:
                        raise NlError(err, *self._parse_error(msg, mflags)[1:])
                    # a dump with NLM_F_ACK gets no extra ack after DONE
                    return replies
                replies.append(msg[20:])
                if not dump and not (mflags & NLM_F_MULTI):
                    # a do-request answered with data: the ack follows
                    continue

    def resolve(self, name):
        try:
            rep = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                               nla_str(CTRL_ATTR_FAMILY_NAME, name),
                               version=1)
        except NlError as e:
            if e.errno == errno.ENOENT:
                raise FamilyMissing(name)
            raise
        a = attr_dict(rep[0])
        groups = {}
        for _, g in parse_attrs(a.get(CTRL_ATTR_MCAST_GROUPS, b"")):
            ga = attr_dict(g)
            groups[cstr(ga[CTRL_ATTR_MCAST_GRP_NAME])] = \
                u32(ga[CTRL_ATTR_MCAST_GRP_ID])
        return {"name": name, "id": u16(a[CTRL_ATTR_FAMILY_ID]),
                "version": u32(a[CTRL_ATTR_VERSION]),
                "hdrsize": u32(a[CTRL_ATTR_HDRSIZE]),
                "maxattr": u32(a[CTRL_ATTR_MAXATTR]),
                "mcast_groups": groups}


# ------------------------------------------------------------------ catoproxy

def prefix_attr(fam, addr, plen, addr_len=None):
    raw = socket.inet_pton(fam, addr)
    if addr_len is not None:
        raw = (raw + b"\0" * 16)[:addr_len]
    return nla_nest(PREFIXES_A_PREFIX,
                    nla_u16(PREFIX_A_FAMILY, fam),
                    nla(PREFIX_A_ADDR, raw),
                    nla_u8(PREFIX_A_PLEN, plen))


def pfx_nest(atype, fam, addr, plen):
    return nla_nest(atype, nla_u16(PREFIX_A_FAMILY, fam),
                    nla(PREFIX_A_ADDR, socket.inet_pton(fam, addr)),
                    nla_u8(PREFIX_A_PLEN, plen))


def rule_attr(action=None, src=None, dst=None, sport=None, dport=None,
              pos=None, rid=None, extra=b""):
    """src/dst: "ADDR/PLEN"; sport/dport: (min, max) or (min,) or
    (None, max)."""
    parts = []
    if rid is not None:
        parts.append(nla_u32(RULE_A_ID, rid))
    if pos is not None:
        parts.append(nla_u32(RULE_A_POS, pos))
    for atype, p in ((RULE_A_SRC, src), (RULE_A_DST, dst)):
        if p is not None:
            addr, plen = p.split("/")
            fam = V6 if ":" in addr else V4
            parts.append(pfx_nest(atype, fam, addr, int(plen)))
    for lo_t, hi_t, rng in ((RULE_A_SPORT_MIN, RULE_A_SPORT_MAX, sport),
                            (RULE_A_DPORT_MIN, RULE_A_DPORT_MAX, dport)):
        if rng is None:
            continue
        if rng[0] is not None:
            parts.append(nla_u16(lo_t, rng[0]))
        if len(rng) > 1 and rng[1] is not None:
            parts.append(nla_u16(hi_t, rng[1]))
    if action is not None:
        parts.append(nla_u8(RULE_A_ACTION, action))
    parts.append(extra)
    return nla_nest(A_RULE, *parts)


def parse_list(spec):
    """"allow:src=10.0.1.2/32:dport=8080;block" -> [rule_attr payloads]"""
    out = []
    for r in spec.split(";"):
        words = r.split(":")
        kw = {}
        for w in words[1:]:
            k, v = w.split("=", 1)
            if k in ("sport", "dport"):
                lo, _, hi = v.partition("-")
                kw[k] = (int(lo), int(hi or lo))
            else:
                kw[k] = v
        out.append(rule_attr(ACTIONS.index(words[0]), **kw))
    return out


def site_attr(name=None, mode=None, prefixes=(), extra=b""):
    parts = []
    if name is not None:
        parts.append(nla_str(SITE_A_NAME, name))
    if mode is not None:
        parts.append(nla_u8(SITE_A_MODE, mode))
    if prefixes is not None:
        parts.append(nla_nest(SITE_A_PREFIXES, *prefixes))
    parts.append(extra)
    return nla_nest(A_SITE, *parts)


class Catoproxy:
    def __init__(self):
        self.nl = Genl()
        self.fam = self.nl.resolve(FAMILY)["id"]

    def req(self, cmd, payload=b"", dump=False):
        return self.nl.request(self.fam, cmd, payload, dump=dump)

    def config(self):
        a = attr_dict(self.req(CMD_GET_CONFIG)[0])
        return {"mode": MODES[u8(a[A_MODE])],
                "tls_inspection": bool(u8(a[A_TLS_INSPECTION])),
                "blocked_syn": u8(a[A_BLOCKED_SYN]),
                "challenge_ack": u8(a[A_CHALLENGE_ACK]),
                "site_count": u32(a[A_SITE_COUNT]),
                "server_timeout_ms": u32(a[A_SERVER_TIMEOUT]),
                "syn_backlog": u32(a[A_SYN_BACKLOG]),
                "force_full_ports": list(struct.unpack(
                    "=%dH" % (len(a[A_FORCE_FULL_PORTS]) // 2),
                    a[A_FORCE_FULL_PORTS])),
                "adaptive_ttl": u32(a[A_ADAPTIVE_TTL]),
                "adaptive_size": u32(a[A_ADAPTIVE_SIZE]),
                "rule_count": u32(a[A_RULE_COUNT]),
                "block_page_ports": list(struct.unpack(
                    "=%dH" % (len(a[A_BLOCK_PAGE_PORTS]) // 2),
                    a[A_BLOCK_PAGE_PORTS])),
                "block_page": a[A_BLOCK_PAGE].decode("utf-8", "replace")}

    def stats(self):
        a = attr_dict(self.req(CMD_GET_STATS)[0])
        out = {}
        for t, p in parse_attrs(a[A_STATS]):
            if t in STAT_NAMES:
                out[STAT_NAMES[t]] = u64(p)
        if A_ADAPTIVE_ENTRIES in a:
            out["adaptive_entries"] = u32(a[A_ADAPTIVE_ENTRIES])
        return out

    def sites(self):
        out = []
        for rep in self.req(CMD_GET_SITE, dump=True):
            s = attr_dict(attr_dict(rep)[A_SITE])
            pfx = []
            for _, p in parse_attrs(s.get(SITE_A_PREFIXES, b"")):
                pa = attr_dict(p)
                fam = u16(pa[PREFIX_A_FAMILY])
                pfx.append("%s/%d" % (socket.inet_ntop(fam, pa[PREFIX_A_ADDR]),
                                      u8(pa[PREFIX_A_PLEN])))
            out.append({"id": u32(s[SITE_A_ID]),
                        "name": cstr(s[SITE_A_NAME]),
                        "mode": MODES[u8(s[SITE_A_MODE])],
                        "effective_mode": MODES[u8(s[SITE_A_EFFECTIVE_MODE])],
                        "prefixes": pfx})
        return out

    def rules(self):
        out = []
        for rep in self.req(CMD_GET_RULE, dump=True):
            r = attr_dict(attr_dict(rep)[A_RULE])
            d = {"id": u32(r[RULE_A_ID]), "pos": u32(r[RULE_A_POS]),
                 "action": ACTIONS[u8(r[RULE_A_ACTION])],
                 "sport": [u16(r[RULE_A_SPORT_MIN]), u16(r[RULE_A_SPORT_MAX])],
                 "dport": [u16(r[RULE_A_DPORT_MIN]), u16(r[RULE_A_DPORT_MAX])],
                 "hits": u64(r[RULE_A_HITS])}
            for key, t in (("src", RULE_A_SRC), ("dst", RULE_A_DST)):
                if t in r:
                    pa = attr_dict(r[t])
                    fam = u16(pa[PREFIX_A_FAMILY])
                    d[key] = "%s/%d" % (socket.inet_ntop(fam, pa[PREFIX_A_ADDR]),
                                        u8(pa[PREFIX_A_PLEN]))
            out.append(d)
        return out

    def snapshot(self):
        # hits move with traffic; what a request may change is the rest.
        # Without CAP_NET_ADMIN sites and rules cannot be listed: the
        # configuration still counts them.
        try:
            sites = self.sites()
            rules = [{k: v for k, v in r.items() if k != "hits"}
                     for r in self.rules()]
        except NlError as e:
            if e.errno != errno.EPERM:
                raise
            sites = rules = None
        return json.dumps([self.config(), sites, rules], sort_keys=True)


V4 = socket.AF_INET
V6 = socket.AF_INET6
OK_PFX = prefix_attr(V4, "192.0.2.0", 24)

# name -> (cmd, payload).  Every one of these must be refused by the kernel.
CASES = {
    # SET_CONFIG
    "mode-99": (CMD_SET_CONFIG, nla_u8(A_MODE, 99)),
    "mode-inherit": (CMD_SET_CONFIG, nla_u8(A_MODE, MODE_INHERIT)),
    "tls-2": (CMD_SET_CONFIG, nla_u8(A_TLS_INSPECTION, 2)),
    "blocked-syn-2": (CMD_SET_CONFIG, nla_u8(A_BLOCKED_SYN, 2)),
    "challenge-ack-2": (CMD_SET_CONFIG, nla_u8(A_CHALLENGE_ACK, 2)),
    "mode-u32": (CMD_SET_CONFIG, nla_u32(A_MODE, MODE_OFF)),
    "set-empty": (CMD_SET_CONFIG, b""),
    "set-unknown-attr": (CMD_SET_CONFIG,
                         nla_u8(A_MODE, MODE_OFF) + nla_u8(A_MAX + 5, 1)),
    # all-or-nothing: a valid mode with an invalid setting beside it
    "set-read-only-attr": (CMD_SET_CONFIG,
                           nla_u8(A_MODE, MODE_OFF) + nla_u32(A_SITE_COUNT, 3)),
    "set-with-site": (CMD_SET_CONFIG,
                      nla_u8(A_MODE, MODE_OFF) + site_attr("s", None, [OK_PFX])),
    "set-partial": (CMD_SET_CONFIG,
                    nla_u8(A_MODE, MODE_OFF) + nla_u8(A_BLOCKED_SYN, 7)),
    "server-timeout-99": (CMD_SET_CONFIG, nla_u32(A_SERVER_TIMEOUT, 99)),
    "server-timeout-600001": (CMD_SET_CONFIG,
                              nla_u32(A_SERVER_TIMEOUT, 600001)),
    "server-timeout-0": (CMD_SET_CONFIG, nla_u32(A_SERVER_TIMEOUT, 0)),
    "server-timeout-u8": (CMD_SET_CONFIG, nla_u8(A_SERVER_TIMEOUT, 200)),
    "syn-backlog-1000001": (CMD_SET_CONFIG,
                            nla_u32(A_SYN_BACKLOG, 1000001)),
    "syn-backlog-u32max": (CMD_SET_CONFIG,
                           nla_u32(A_SYN_BACKLOG, 0xFFFFFFFF)),
    # all-or-nothing: a valid timeout with an invalid backlog beside it
    "set-partial-backlog": (CMD_SET_CONFIG,
                            nla_u32(A_SERVER_TIMEOUT, 5000) +
                            nla_u32(A_SYN_BACKLOG, 1000001)),
    "set-with-conn": (CMD_SET_CONFIG,
                      nla_u8(A_MODE, MODE_OFF) +
                      nla_nest(A_CONN, nla_u16(CONN_A_FAMILY, 2))),
    # force-full-ports: u16s, non-zero, distinct, at most 16
    "force-ports-odd-len": (CMD_SET_CONFIG,
                            nla(A_FORCE_FULL_PORTS, u16_array([443]) + b"\1")),
    "force-ports-zero": (CMD_SET_CONFIG,
                         nla(A_FORCE_FULL_PORTS, u16_array([443, 0]))),
    "force-ports-dup": (CMD_SET_CONFIG,
                        nla(A_FORCE_FULL_PORTS, u16_array([443, 80, 443]))),
    "force-ports-17": (CMD_SET_CONFIG,
                       nla(A_FORCE_FULL_PORTS,
                           u16_array(range(1, FORCE_PORTS_MAX + 2)))),
    # all-or-nothing: a valid mode with an invalid port list beside it
    "set-partial-ports": (CMD_SET_CONFIG,
                          nla_u8(A_MODE, MODE_OFF) +
                          nla(A_FORCE_FULL_PORTS, u16_array([8443, 0]))),
    "adaptive-ttl-0": (CMD_SET_CONFIG, nla_u32(A_ADAPTIVE_TTL, 0)),
    "adaptive-ttl-86401": (CMD_SET_CONFIG, nla_u32(A_ADAPTIVE_TTL, 86401)),
    "adaptive-ttl-u8": (CMD_SET_CONFIG, nla_u8(A_ADAPTIVE_TTL, 5)),
    "adaptive-size-63": (CMD_SET_CONFIG, nla_u32(A_ADAPTIVE_SIZE, 63)),
    "adaptive-size-262145": (CMD_SET_CONFIG,
                             nla_u32(A_ADAPTIVE_SIZE, 262145)),
    # all-or-nothing: a valid TTL with an invalid size beside it
    "set-partial-adaptive": (CMD_SET_CONFIG,
                             nla_u32(A_ADAPTIVE_TTL, 10) +
                             nla_u32(A_ADAPTIVE_SIZE, 63)),
    "set-adaptive-entries": (CMD_SET_CONFIG,
                             nla_u8(A_MODE, MODE_OFF) +
                             nla_u32(A_ADAPTIVE_ENTRIES, 5)),
    # notifications are never requests
    "cmd-event": (CMD_EVENT, b""),
    # ADD_SITE
    "site-plen-33": (CMD_ADD_SITE,
                     site_attr("r33", None, [prefix_attr(V4, "10.9.0.0", 33)])),
    "site-plen-129": (CMD_ADD_SITE,
                      site_attr("r129", None,
                                [prefix_attr(V6, "fd00:99::", 129)])),
    "site-addr-5": (CMD_ADD_SITE,
                    site_attr("r5", None,
                              [prefix_attr(V4, "10.9.0.0", 24, addr_len=5)])),
    "site-v4-addr-16": (CMD_ADD_SITE,
                        site_attr("r416", None,
                                  [prefix_attr(V4, "10.9.0.0", 24,
                                               addr_len=16)])),
    "site-v6-addr-4": (CMD_ADD_SITE,
                       site_attr("r64", None,
                                 [prefix_attr(V6, "fd00:99::", 24,
                                              addr_len=4)])),
    "site-host-bits": (CMD_ADD_SITE,
                       site_attr("rhb", None,
                                 [prefix_attr(V4, "10.9.0.1", 24)])),
    "site-host-bits-v6": (CMD_ADD_SITE,
                          site_attr("rhb6", None,
                                    [prefix_attr(V6, "fd00:99::1", 64)])),
    "site-family-99": (CMD_ADD_SITE,
                       site_attr("rf", None, [nla_nest(
                           PREFIXES_A_PREFIX, nla_u16(PREFIX_A_FAMILY, 99),
                           nla(PREFIX_A_ADDR, b"\x0a\x09\0\0"),
                           nla_u8(PREFIX_A_PLEN, 16))])),
    "site-no-name": (CMD_ADD_SITE, site_attr(None, None, [OK_PFX])),
    "site-empty-name": (CMD_ADD_SITE, site_attr("", None, [OK_PFX])),
    "site-bad-name": (CMD_ADD_SITE, site_attr("a b", None, [OK_PFX])),
    "site-long-name": (CMD_ADD_SITE, site_attr("n" * 32, None, [OK_PFX])),
    "site-name-no-nul": (CMD_ADD_SITE, nla_nest(
        A_SITE, nla(SITE_A_NAME, b"abcd"),
        nla_nest(SITE_A_PREFIXES, OK_PFX))),
    "site-no-prefixes": (CMD_ADD_SITE, site_attr("rnp", None, None)),
    "site-empty-prefixes": (CMD_ADD_SITE, site_attr("rep", None, [])),
    "site-prefix-no-plen": (CMD_ADD_SITE, site_attr("rnl", None, [nla_nest(
        PREFIXES_A_PREFIX, nla_u16(PREFIX_A_FAMILY, V4),
        nla(PREFIX_A_ADDR, b"\x0a\x09\0\0"))])),
    "site-with-id": (CMD_ADD_SITE, site_attr(
        "rid", None, [OK_PFX], extra=nla_u32(SITE_A_ID, 77))),
    "site-mode-99": (CMD_ADD_SITE, site_attr("rm", 99, [OK_PFX])),
    "site-33-prefixes": (CMD_ADD_SITE, site_attr(
        "r33p", None,
        [prefix_attr(V4, "10.77.%d.0" % i, 24) for i in range(33)])),
    "site-no-site-attr": (CMD_ADD_SITE, b""),
    "site-dup-name": (CMD_ADD_SITE,
                      site_attr("keep", None,
                                [prefix_attr(V4, "10.88.0.0", 16)])),
    "site-dup-prefix": (CMD_ADD_SITE,
                        site_attr("other", None,
                                  [prefix_attr(V4, "10.99.0.0", 16)])),
    "site-dup-prefix-same-site": (CMD_ADD_SITE, site_attr(
        "twice", None, [prefix_attr(V4, "10.66.0.0", 16),
                        prefix_attr(V4, "10.66.0.0", 16)])),
    "site-unknown-attr": (CMD_ADD_SITE, site_attr(
        "runk", None, [OK_PFX], extra=nla_u8(SITE_A_PREFIXES + 5, 1))),
    # DEL_SITE
    "del-unknown": (CMD_DEL_SITE, site_attr("nosuchsite", None, None)),
    "del-no-name": (CMD_DEL_SITE, nla_nest(A_SITE, b"")),
    "del-with-prefixes": (CMD_DEL_SITE, site_attr("keep", None, [])),
    # block page settings
    "page-ports-zero": (CMD_SET_CONFIG,
                        nla(A_BLOCK_PAGE_PORTS, u16_array([80, 0]))),
    "page-ports-dup": (CMD_SET_CONFIG,
                       nla(A_BLOCK_PAGE_PORTS, u16_array([80, 81, 80]))),
    "page-ports-17": (CMD_SET_CONFIG,
                      nla(A_BLOCK_PAGE_PORTS, u16_array(range(1, 18)))),
    "page-ports-odd-len": (CMD_SET_CONFIG,
                           nla(A_BLOCK_PAGE_PORTS, u16_array([80]) + b"\1")),
    "page-4097": (CMD_SET_CONFIG, nla(A_BLOCK_PAGE, b"x" * 4097)),
    # all-or-nothing: a valid page beside invalid page ports
    "set-partial-page": (CMD_SET_CONFIG,
                         nla(A_BLOCK_PAGE, b"changed") +
                         nla(A_BLOCK_PAGE_PORTS, u16_array([0]))),
    "set-with-rule": (CMD_SET_CONFIG,
                      nla_u8(A_MODE, MODE_OFF) +
                      rule_attr(1, dport=(80,))),
    "set-rule-count": (CMD_SET_CONFIG,
                       nla_u8(A_MODE, MODE_OFF) + nla_u32(A_RULE_COUNT, 3)),
    # ADD_RULE
    "rule-no-rule-attr": (CMD_ADD_RULE, b""),
    "rule-no-action": (CMD_ADD_RULE, rule_attr(None, dport=(80,))),
    "rule-action-3": (CMD_ADD_RULE, rule_attr(3)),
    "rule-action-u32": (CMD_ADD_RULE,
                        nla_nest(A_RULE, nla_u32(RULE_A_ACTION, 1))),
    "rule-inverted-dport": (CMD_ADD_RULE, rule_attr(1, dport=(90, 80))),
    "rule-inverted-sport": (CMD_ADD_RULE, rule_attr(1, sport=(2, 1))),
    "rule-max-only": (CMD_ADD_RULE, rule_attr(1, dport=(None, 80))),
    "rule-mixed-families": (CMD_ADD_RULE,
                            rule_attr(1, src="10.0.0.0/8", dst="fd00::/8")),
    "rule-host-bits": (CMD_ADD_RULE, rule_attr(1, dst="10.0.2.1/24")),
    "rule-plen-33": (CMD_ADD_RULE, rule_attr(1, dst="10.0.2.0/33")),
    "rule-with-id": (CMD_ADD_RULE, rule_attr(1, rid=5)),
    "rule-with-hits": (CMD_ADD_RULE,
                       rule_attr(1, extra=nla(RULE_A_HITS, b"\0" * 8))),
    "rule-pos-0": (CMD_ADD_RULE, rule_attr(1, pos=0)),
    "rule-pos-past-end": (CMD_ADD_RULE, rule_attr(1, pos=99)),
    "rule-unknown-attr": (CMD_ADD_RULE,
                          rule_attr(1, extra=nla_u8(RULE_A_PAD + 5, 1))),
    # DEL_RULE
    "rule-del-unknown": (CMD_DEL_RULE, rule_attr(rid=999999)),
    "rule-del-no-id": (CMD_DEL_RULE, nla_nest(A_RULE, b"")),
    "rule-del-with-action": (CMD_DEL_RULE, rule_attr(1, rid=1)),
    "rule-del-no-rule-attr": (CMD_DEL_RULE, b""),
    # SET_RULES: one bad rule refuses the whole list
    "rules-one-bad": (CMD_SET_RULES,
                      rule_attr(1, dport=(80,)) + rule_attr(1, dport=(9, 8))),
    "rules-with-pos": (CMD_SET_RULES, rule_attr(1, pos=1)),
    # commands
    "cmd-unknown": (99, b""),
    "cmd-unspec": (0, b""),
}

# Well-formed requests, for the privilege test (refused without
# CAP_NET_ADMIN). "del-keep" deletes the site called "keep".
VALID = {
    "set-mode-off": (CMD_SET_CONFIG, nla_u8(A_MODE, MODE_OFF)),
    "add-site": (CMD_ADD_SITE, site_attr("priv", MODE_FULL, [OK_PFX])),
    "del-keep": (CMD_DEL_SITE, site_attr("keep", None, None)),
    "add-rule": (CMD_ADD_RULE, rule_attr(1, dport=(80,))),
    "del-rule": (CMD_DEL_RULE, rule_attr(rid=1)),
    "set-rules": (CMD_SET_RULES, rule_attr(2, dport=(81,))),
}


def run_cases(names):
    cp = Catoproxy()
    for name in names:
        cmd, payload = CASES[name] if name in CASES else VALID[name]
        before = cp.snapshot()
        err, extack, miss = 0, "", ""
        try:
            cp.req(cmd, payload)
        except NlError as e:
            err, extack, miss = e.errno, e.extack, e.miss
        changed = int(cp.snapshot() != before)
        print("%s\t%d\t%s\t%d\t%s\t%s" % (name, err, errname(err), changed,
                                            miss or "-",
                                            extack.replace("\t", " ")))
        sys.stdout.flush()


def fill(prefix, n):
    cp = Catoproxy()
    added = 0
    for i in range(n):
        a = "198.%d.%d.%d" % (18 + (i >> 16), (i >> 8) & 255, i & 255)
        try:
            cp.req(CMD_ADD_SITE, site_attr("%s%d" % (prefix, i), None,
                                           [prefix_attr(V4, a, 32)]))
        except NlError as e:
            print("added %d errno %d %s %s" % (added, e.errno,
                                                errname(e.errno), e.extack))
            return
        added += 1
    print("added %d errno 0 OK" % added)


def set_rules(n, port=None):
    cp = Catoproxy()
    # the whole list is one message: make room for it, past wmem_max
    cp.nl.sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 64 << 20)
    payload = b"".join(
        rule_attr(1, dst="198.%d.%d.%d/32" % (18 + (i >> 16), (i >> 8) & 255,
                                              i & 255),
                  dport=(port,) if port else None)
        for i in range(n))
    try:
        cp.req(CMD_SET_RULES, payload)
    except NlError as e:
        print("errno %d %s %s" % (e.errno, errname(e.errno), e.extack))
        return
    print("errno 0 OK")


def rewrite(count, gap_ms, list_a, list_b):
    import time
    cp = Catoproxy()
    lists = (("A", b"".join(parse_list(list_a))),
             ("B", b"".join(parse_list(list_b))))
    # CATOPROXY_REWRITE_SPLIT=1: empty the list, then add the rules one by
    # one, a replacement that is not atomic, for checking that rules.sh
    # notices one.
    split = os.environ.get("CATOPROXY_REWRITE_SPLIT") == "1"
    for k in range(count):
        name, payload = lists[k % 2]
        if split:
            cp.req(CMD_SET_RULES, b"")
            for r in parse_attrs(payload):
                cp.req(CMD_ADD_RULE, nla(A_RULE | NLA_F_NESTED, r[1]))
        else:
            cp.req(CMD_SET_RULES, payload)
        ids = [r["id"] for r in cp.rules()]
        print(json.dumps({"version": k, "list": name, "ids": ids}))
        sys.stdout.flush()
        time.sleep(gap_ms / 1000.0)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 1
    what = argv[1]
    try:
        if what == "family" and len(argv) == 3:
            print(json.dumps(Genl().resolve(argv[2]), sort_keys=True))
        elif what == "config":
            print(json.dumps(Catoproxy().config(), sort_keys=True))
        elif what == "stats":
            print(json.dumps(Catoproxy().stats(), sort_keys=True))
        elif what == "sites":
            print(json.dumps(Catoproxy().sites(), sort_keys=True))
        elif what == "rules":
            print(json.dumps(Catoproxy().rules(), sort_keys=True))
        elif what == "set-rules" and len(argv) in (3, 4):
            set_rules(int(argv[2]), int(argv[3]) if len(argv) == 4 else None)
        elif what == "rewrite" and len(argv) == 6:
            rewrite(int(argv[2]), int(argv[3]), argv[4], argv[5])
        elif what == "join" and len(argv) == 3:
            nl = Genl()
            grp = nl.resolve(FAMILY)["mcast_groups"][argv[2]]
            try:
                nl.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, grp)
            except OSError as e:
                raise NlError(e.errno, "") from e
            print("joined %s" % argv[2])
        elif what == "list-cases":
            print("\n".join(list(CASES) + list(VALID)))
        elif what == "cases":
            names = argv[2:] or list(CASES)
            for n in names:
                if n not in CASES and n not in VALID:
                    print("unknown case %s" % n, file=sys.stderr)
                    return 1
            run_cases(names)
        elif what == "fill" and len(argv) == 4:
            fill(argv[2], int(argv[3]))
        else:
            print(__doc__, file=sys.stderr)
            return 1
    except FamilyMissing as e:
        print("generic netlink family %s not found" % e, file=sys.stderr)
        return 3
    except NlError as e:
        print("error: %s (%d) %s" % (os.strerror(e.errno), e.errno, e.extack),
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
