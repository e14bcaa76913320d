#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generic netlink requests for the catoproxy selftests, without catoproxyctl.

They let the tests send requests the CLI would never build and check that
the kernel itself rejects them. Requests go through the kernel's YNL
library, driven by the family's spec (lib/py/ynl.py); only what the spec
cannot express (a scalar of the wrong width, an attribute type the set does
not have, a string without its NUL, a command that is no request) is built
by the small raw encoder below, whose numbers come from the spec as well.

  genl.py family catoproxy    resolve the family through nlctrl, print JSON
  genl.py config              GET_CONFIG, print JSON
  genl.py stats               GET_STATS, print JSON
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

Every command but "family" needs the family to exist.
Exit status: 0 when the requests could be sent, 3 when the family is
missing, 2 when the kernel refused a request that had to succeed, 1 on
usage errors.
"""

import errno
import json
import os
import socket
import struct
import sys
import time

from lib.py.ynl import family, ynl_lib

# asm-generic/socket.h; Python's socket module does not name it
SO_SNDBUFFORCE = 32

YNL = ynl_lib()
Netlink = YNL.Netlink
V4 = socket.AF_INET
V6 = socket.AF_INET6


class FamilyMissing(Exception):
    pass


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


def nl_error(err, extack, attr_set):
    """Our NlError from an errno and YNL's decoded extack. YNL names a
    missing top-level attribute after the spec: back to its number."""
    extack = extack or {}
    miss = extack.get("miss-type")
    if isinstance(miss, str):
        miss = attr_set[miss].value
    miss = "" if miss is None else str(miss)
    if miss and "miss-nest" in extack:
        # offset of the nest in the request, from its nlmsghdr
        miss += "@%d" % extack["miss-nest"]
    return NlError(err, extack.get("msg", ""), miss)


def u16s(ports):
    """The payload of a port list (force-full-ports, block-page-ports):
    u16s in host order."""
    return struct.pack("=%dH" % len(ports), *ports)


def prefix_str(p):
    return "%s/%d" % (socket.inet_ntop(p["family"], p["addr"]), p["plen"])


# ------------------------------------------------------------------ family

class Catoproxy:
    """The family through YNL, plus raw requests on the same socket."""

    def __init__(self):
        try:
            self.ynl = family()
        except Exception:
            if "catoproxy" not in (YNL.ynl.genl_family_name_to_id or {}):
                raise FamilyMissing("catoproxy")
            raise
        self.seq = 0

    def op_set(self, op):
        return self.ynl.msgs[op].attr_set

    def do(self, op, vals=None):
        try:
            return self.ynl.do(op, vals or {})
        except YNL.NlError as e:
            raise nl_error(e.error, e.nl_msg.extack, self.op_set(op))

    def dump(self, op):
        try:
            return self.ynl.dump(op, {})
        except YNL.NlError as e:
            raise nl_error(e.error, e.nl_msg.extack, self.op_set(op))

    def raw(self, cmd, payload):
        """Send CMD (a number) with a payload of our own; wait for the
        ack. Raises NlError when it is negative."""
        self.seq += 1
        hdr = self.ynl.nlproto.message(Netlink.NLM_F_REQUEST |
                                       Netlink.NLM_F_ACK, cmd, 1, self.seq)
        msg = hdr + payload
        self.ynl.sock.send(struct.pack("=I", 4 + len(msg)) + msg)
        while True:
            for m in YNL.ynl.NlMsgs(self.ynl.sock.recv(1 << 20)):
                if m.nl_seq != self.seq or not m.done:
                    continue
                if m.error:
                    # a raw request has no op: its missing types stay numbers
                    raise nl_error(-m.error, m.extack, None)
                return

    def config(self):
        c = self.do("get-config")
        return {"mode": c["mode"],
                "tls_inspection": bool(c["tls-inspection"]),
                "blocked_syn": self.enum("blocked-syn", c["blocked-syn"]),
                "challenge_ack": self.enum("challenge-ack",
                                           c["challenge-ack"]),
                "site_count": c["site-count"],
                "server_timeout_ms": c["server-timeout"],
                "syn_backlog": c["syn-backlog"],
                "force_full_ports": c["force-full-ports"],
                "adaptive_ttl": c["adaptive-ttl"],
                "adaptive_size": c["adaptive-size"],
                "rule_count": c["rule-count"],
                "block_page_ports": c["block-page-ports"],
                "block_page": c["block-page"].decode("utf-8", "replace")}

    def stats(self):
        r = self.do("get-stats")
        counters = self.ynl.attr_sets["stat"]
        out = {}
        for name, v in r["stats"].items():
            # the counters the spec knows (not the pad, not new ones)
            if name in counters.attrs and counters[name].type == "u64":
                out[name.replace("-", "_")] = v
        if "adaptive-entries" in r:
            out["adaptive_entries"] = r["adaptive-entries"]
        return out

    def sites(self):
        out = []
        for m in self.dump("get-site"):
            s = m["site"]
            out.append({"id": s["id"], "name": s["name"], "mode": s["mode"],
                        "effective_mode": s["effective-mode"],
                        "prefixes": [prefix_str(p) for p in
                                     s.get("prefixes", {}).get("prefix", [])]})
        return out

    def rules(self):
        out = []
        for m in self.dump("get-rule"):
            for r in m["rule"]:  # multi-attr: a list, of one
                d = {"id": r["id"], "pos": r["pos"], "action": r["action"],
                     "sport": [r["sport-min"], r["sport-max"]],
                     "dport": [r["dport-min"], r["dport-max"]],
                     "hits": r["hits"]}
                for key in ("src", "dst"):
                    if key in r:
                        d[key] = prefix_str(r[key])
                for key in ("sni", "host", "path"):
                    if key in r:
                        d[key] = r[key]
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

    def enum(self, name, entry):
        return self.ynl.consts[name].entries[entry].value


# ------------------------------------------------------ request attributes
#
# Values for YNL: dicts keyed by the spec's names, in the order the
# attributes are sent.

def pfx(addr, plen, addr_len=None):
    """A prefix; ADDR_LEN cuts or zero-pads the address to that many
    bytes (addr is binary: any length is the spec's)."""
    fam = V6 if ":" in addr else V4
    raw = socket.inet_pton(fam, addr)
    if addr_len is not None:
        raw = (raw + b"\0" * 16)[:addr_len]
    return {"family": fam, "addr": raw, "plen": plen}


def site(name=None, mode=None, prefixes=(), more=None):
    """The "site" attribute; prefixes None: no prefixes nest at all."""
    s = {}
    if name is not None:
        s["name"] = name
    if mode is not None:
        s["mode"] = mode
    if prefixes is not None:
        s["prefixes"] = {"prefix": list(prefixes)}
    s.update(more or {})
    return s


def rule(action=None, src=None, dst=None, sport=None, dport=None, pos=None,
         rid=None, more=None):
    """One "rule". src/dst: "ADDR/PLEN"; sport/dport: (min, max) or
    (min,) or (None, max)."""
    r = {}
    if rid is not None:
        r["id"] = rid
    if pos is not None:
        r["pos"] = pos
    for key, p in (("src", src), ("dst", dst)):
        if p is not None:
            addr, plen = p.split("/")
            r[key] = pfx(addr, int(plen))
    for key, rng in (("sport", sport), ("dport", dport)):
        if rng is None:
            continue
        if rng[0] is not None:
            r[key + "-min"] = rng[0]
        if len(rng) > 1 and rng[1] is not None:
            r[key + "-max"] = rng[1]
    if action is not None:
        r["action"] = action
    r.update(more or {})
    return r


def parse_list(spec):
    """"allow:src=10.0.1.2/32:dport=8080;block" -> [rule values]"""
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
        out.append(rule(words[0], **kw))
    return out


class Raw:
    """The raw encoder: attributes as bytes, for what YNL cannot send.
    Types and commands are the spec's, by name; well-formed parts of a
    raw request are YNL's encoding."""

    def __init__(self, ynl):
        self.ynl = ynl

    def type(self, space, name):
        return self.ynl.attr_sets[space][name].value

    def unknown(self, space):
        """A type the set does not have (5 past its last)."""
        attrs = self.ynl.attr_sets[space].attrs.values()
        return max(a.value for a in attrs) + 5

    def cmd(self, name):
        return self.ynl.msgs[name].req_value

    @staticmethod
    def nla(atype, payload):
        hdr = struct.pack("=HH", 4 + len(payload), atype)
        return hdr + payload + b"\0" * ((4 - len(payload) % 4) % 4)

    def u8(self, atype, v):
        return self.nla(atype, struct.pack("=B", v))

    def u32(self, atype, v):
        return self.nla(atype, struct.pack("=I", v))

    def nest(self, atype, *children):
        return self.nla(atype | Netlink.NLA_F_NESTED, b"".join(children))

    def attr(self, space, name, value):
        """A well-formed attribute, encoded by YNL."""
        return self.ynl._add_attr(space, name, value, None)


# ------------------------------------------------------------------- cases

def cases(ynl):
    """name -> ("ynl", OP, VALUES) or ("raw", CMD, PAYLOAD). Every one of
    these must be refused by the kernel."""
    r = Raw(ynl)
    ok_pfx = pfx("192.0.2.0", 24)
    C = {}

    def y(name, op, vals):
        C[name] = ("ynl", op, vals)

    def raw(name, cmd, payload):
        C[name] = ("raw", r.cmd(cmd) if isinstance(cmd, str) else cmd,
                   payload)

    mode, off = r.type("catoproxy", "mode"), r.attr("catoproxy", "mode", "off")
    # SET_CONFIG
    y("mode-99", "set-config", {"mode": 99})
    y("mode-inherit", "set-config", {"mode": "inherit"})
    y("tls-2", "set-config", {"tls-inspection": 2})
    y("blocked-syn-2", "set-config", {"blocked-syn": 2})
    y("challenge-ack-2", "set-config", {"challenge-ack": 2})
    raw("mode-u32", "set-config",
        r.u32(mode, ynl.consts["mode"].entries["off"].value))
    y("set-empty", "set-config", {})
    raw("set-unknown-attr", "set-config",
        off + r.u8(r.unknown("catoproxy"), 1))
    # all-or-nothing: a valid mode with an invalid setting beside it
    y("set-read-only-attr", "set-config", {"mode": "off", "site-count": 3})
    y("set-with-site", "set-config",
      {"mode": "off", "site": site("s", None, [ok_pfx])})
    y("set-partial", "set-config", {"mode": "off", "blocked-syn": 7})
    y("server-timeout-99", "set-config", {"server-timeout": 99})
    y("server-timeout-600001", "set-config", {"server-timeout": 600001})
    y("server-timeout-0", "set-config", {"server-timeout": 0})
    raw("server-timeout-u8", "set-config",
        r.u8(r.type("catoproxy", "server-timeout"), 200))
    y("syn-backlog-1000001", "set-config", {"syn-backlog": 1000001})
    y("syn-backlog-u32max", "set-config", {"syn-backlog": 0xFFFFFFFF})
    # all-or-nothing: a valid timeout with an invalid backlog beside it
    y("set-partial-backlog", "set-config",
      {"server-timeout": 5000, "syn-backlog": 1000001})
    y("set-with-conn", "set-config", {"mode": "off", "conn": {"family": V4}})
    # force-full-ports: u16s, non-zero, distinct, at most 16
    y("force-ports-odd-len", "set-config",
      {"force-full-ports": u16s([443]) + b"\1"})
    y("force-ports-zero", "set-config", {"force-full-ports": u16s([443, 0])})
    y("force-ports-dup", "set-config",
      {"force-full-ports": u16s([443, 80, 443])})
    y("force-ports-17", "set-config",
      {"force-full-ports": u16s(range(1, ynl.consts["force-ports-max"]
                                      ["value"] + 2))})
    # all-or-nothing: a valid mode with an invalid port list beside it
    y("set-partial-ports", "set-config",
      {"mode": "off", "force-full-ports": u16s([8443, 0])})
    y("adaptive-ttl-0", "set-config", {"adaptive-ttl": 0})
    y("adaptive-ttl-86401", "set-config", {"adaptive-ttl": 86401})
    raw("adaptive-ttl-u8", "set-config",
        r.u8(r.type("catoproxy", "adaptive-ttl"), 5))
    y("adaptive-size-63", "set-config", {"adaptive-size": 63})
    y("adaptive-size-262145", "set-config", {"adaptive-size": 262145})
    # all-or-nothing: a valid TTL with an invalid size beside it
    y("set-partial-adaptive", "set-config",
      {"adaptive-ttl": 10, "adaptive-size": 63})
    y("set-adaptive-entries", "set-config",
      {"mode": "off", "adaptive-entries": 5})
    # notifications are never requests
    raw("cmd-event", "event", b"")
    # ADD_SITE
    y("site-plen-33", "add-site",
      {"site": site("r33", None, [pfx("10.9.0.0", 33)])})
    y("site-plen-129", "add-site",
      {"site": site("r129", None, [pfx("fd00:99::", 129)])})
    y("site-addr-5", "add-site",
      {"site": site("r5", None, [pfx("10.9.0.0", 24, addr_len=5)])})
    y("site-v4-addr-16", "add-site",
      {"site": site("r416", None, [pfx("10.9.0.0", 24, addr_len=16)])})
    y("site-v6-addr-4", "add-site",
      {"site": site("r64", None, [pfx("fd00:99::", 24, addr_len=4)])})
    y("site-host-bits", "add-site",
      {"site": site("rhb", None, [pfx("10.9.0.1", 24)])})
    y("site-host-bits-v6", "add-site",
      {"site": site("rhb6", None, [pfx("fd00:99::1", 64)])})
    y("site-family-99", "add-site",
      {"site": site("rf", None, [{"family": 99, "addr": b"\x0a\x09\0\0",
                                  "plen": 16}])})
    y("site-no-name", "add-site", {"site": site(None, None, [ok_pfx])})
    y("site-empty-name", "add-site", {"site": site("", None, [ok_pfx])})
    y("site-bad-name", "add-site", {"site": site("a b", None, [ok_pfx])})
    y("site-long-name", "add-site", {"site": site("n" * 32, None, [ok_pfx])})
    raw("site-name-no-nul", "add-site", r.nest(
        r.type("catoproxy", "site"), r.nla(r.type("site", "name"), b"abcd"),
        r.attr("site", "prefixes", {"prefix": [ok_pfx]})))
    y("site-no-prefixes", "add-site", {"site": site("rnp", None, None)})
    y("site-empty-prefixes", "add-site", {"site": site("rep", None, [])})
    y("site-prefix-no-plen", "add-site",
      {"site": site("rnl", None, [{"family": V4, "addr": b"\x0a\x09\0\0"}])})
    y("site-with-id", "add-site",
      {"site": site("rid", None, [ok_pfx], more={"id": 77})})
    y("site-mode-99", "add-site", {"site": site("rm", 99, [ok_pfx])})
    y("site-33-prefixes", "add-site", {"site": site(
        "r33p", None, [pfx("10.77.%d.0" % i, 24) for i in range(33)])})
    y("site-no-site-attr", "add-site", {})
    y("site-dup-name", "add-site",
      {"site": site("keep", None, [pfx("10.88.0.0", 16)])})
    y("site-dup-prefix", "add-site",
      {"site": site("other", None, [pfx("10.99.0.0", 16)])})
    y("site-dup-prefix-same-site", "add-site", {"site": site(
        "twice", None, [pfx("10.66.0.0", 16), pfx("10.66.0.0", 16)])})
    raw("site-unknown-attr", "add-site", r.nest(
        r.type("catoproxy", "site"), r.attr("site", "name", "runk"),
        r.attr("site", "prefixes", {"prefix": [ok_pfx]}),
        r.u8(r.unknown("site"), 1)))
    # DEL_SITE
    y("del-unknown", "del-site", {"site": site("nosuchsite", None, None)})
    y("del-no-name", "del-site", {"site": {}})
    y("del-with-prefixes", "del-site", {"site": site("keep", None, [])})
    # block page settings
    y("page-ports-zero", "set-config", {"block-page-ports": u16s([80, 0])})
    y("page-ports-dup", "set-config",
      {"block-page-ports": u16s([80, 81, 80])})
    y("page-ports-17", "set-config", {"block-page-ports": u16s(range(1, 18))})
    y("page-ports-odd-len", "set-config",
      {"block-page-ports": u16s([80]) + b"\1"})
    y("page-4097", "set-config", {"block-page": b"x" * 4097})
    # all-or-nothing: a valid page beside invalid page ports
    y("set-partial-page", "set-config",
      {"block-page": b"changed", "block-page-ports": u16s([0])})
    y("set-with-rule", "set-config",
      {"mode": "off", "rule": rule("block", dport=(80,))})
    y("set-rule-count", "set-config", {"mode": "off", "rule-count": 3})
    # ADD_RULE
    y("rule-no-rule-attr", "add-rule", {})
    y("rule-no-action", "add-rule", {"rule": rule(None, dport=(80,))})
    y("rule-action-3", "add-rule", {"rule": rule(3)})
    raw("rule-action-u32", "add-rule", r.nest(
        r.type("catoproxy", "rule"),
        r.u32(r.type("rule", "action"),
              ynl.consts["action"].entries["block"].value)))
    y("rule-inverted-dport", "add-rule",
      {"rule": rule("block", dport=(90, 80))})
    y("rule-inverted-sport", "add-rule", {"rule": rule("block", sport=(2, 1))})
    y("rule-max-only", "add-rule", {"rule": rule("block", dport=(None, 80))})
    y("rule-mixed-families", "add-rule",
      {"rule": rule("block", src="10.0.0.0/8", dst="fd00::/8")})
    y("rule-host-bits", "add-rule", {"rule": rule("block", dst="10.0.2.1/24")})
    y("rule-plen-33", "add-rule", {"rule": rule("block", dst="10.0.2.0/33")})
    y("rule-with-id", "add-rule", {"rule": rule("block", rid=5)})
    y("rule-with-hits", "add-rule",
      {"rule": rule("block", more={"hits": 0})})
    y("rule-pos-0", "add-rule", {"rule": rule("block", pos=0)})
    y("rule-pos-past-end", "add-rule", {"rule": rule("block", pos=99)})
    raw("rule-unknown-attr", "add-rule", r.nest(
        r.type("catoproxy", "rule"), r.attr("rule", "action", "block"),
        r.u8(r.unknown("rule"), 1)))
    # payload rules and paths
    y("rule-sni-and-host", "add-rule",
      {"rule": rule("allow", more={"sni": "a.example", "host": "a.example"})})
    y("rule-sni-empty-label", "add-rule",
      {"rule": rule("allow", more={"sni": "a..example"})})
    y("rule-host-star", "add-rule",
      {"rule": rule("allow", more={"host": "*."})})
    y("rule-sni-254", "add-rule",
      {"rule": rule("allow", more={"sni": "a" * 254})})
    raw("rule-sni-no-nul", "add-rule", r.nest(
        r.type("catoproxy", "rule"), r.attr("rule", "action", "allow"),
        r.nla(r.type("rule", "sni"), b"a.example")))
    y("rule-path-0", "add-rule", {"rule": rule("allow", more={"path": 0})})
    y("rule-path-block", "add-rule",
      {"rule": rule("block", more={"sni": "a.example", "path": 5})})
    y("rules-path-block", "set-rules",
      {"rule": [rule("allow", more={"sni": "a.example", "path": 5}),
                rule("block", more={"path": 5})]})
    # DEL_RULE
    y("rule-del-unknown", "del-rule", {"rule": rule(rid=999999)})
    y("rule-del-no-id", "del-rule", {"rule": {}})
    y("rule-del-with-action", "del-rule", {"rule": rule("block", rid=1)})
    y("rule-del-no-rule-attr", "del-rule", {})
    # SET_RULES: one bad rule refuses the whole list
    y("rules-one-bad", "set-rules",
      {"rule": [rule("block", dport=(80,)), rule("block", dport=(9, 8))]})
    y("rules-with-pos", "set-rules", {"rule": [rule("block", pos=1)]})
    # commands
    raw("cmd-unknown", 99, b"")
    raw("cmd-unspec", r.cmd("unspec"), b"")
    return C


# Well-formed requests, for the privilege test (refused without
# CAP_NET_ADMIN). "del-keep" deletes the site called "keep".
VALID = {
    "set-mode-off": ("set-config", {"mode": "off"}),
    "add-site": ("add-site",
                 {"site": site("priv", "full", [pfx("192.0.2.0", 24)])}),
    "del-keep": ("del-site", {"site": site("keep", None, None)}),
    "add-rule": ("add-rule", {"rule": rule("block", dport=(80,))}),
    "del-rule": ("del-rule", {"rule": rule(rid=1)}),
    "set-rules": ("set-rules", {"rule": [rule("bypass", dport=(81,))]}),
}


def send(cp, case):
    if case[0] == "raw":
        cp.raw(case[1], case[2])
    else:
        cp.do(case[1], case[2])


def run_cases(cp, C, names):
    for name in names:
        case = C[name] if name in C else ("ynl",) + VALID[name]
        before = cp.snapshot()
        err, extack, miss = 0, "", ""
        try:
            send(cp, case)
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
            cp.do("add-site", {"site": site("%s%d" % (prefix, i), None,
                                            [pfx(a, 32)])})
        except NlError as e:
            print("added %d errno %d %s %s" % (added, e.errno,
                                                errname(e.errno), e.extack))
            return
        added += 1
    print("added %d errno 0 OK" % added)


def set_rules(n, port=None):
    cp = Catoproxy()
    # the whole list is one message: make room for it, past wmem_max
    cp.ynl.sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 64 << 20)
    rules = [rule("block",
                  dst="198.%d.%d.%d/32" % (18 + (i >> 16), (i >> 8) & 255,
                                           i & 255),
                  dport=(port,) if port else None)
             for i in range(n)]
    # YNL's encoder appends each repeat of an attribute to one bytes
    # object, in quadratic time (minutes for 65536 rules): each rule is
    # YNL's encoding, the list is joined here.
    payload = b"".join(Raw(cp.ynl).attr("catoproxy", "rule", r)
                       for r in rules)
    try:
        cp.raw(cp.ynl.msgs["set-rules"].req_value, payload)
    except NlError as e:
        print("errno %d %s %s" % (e.errno, errname(e.errno), e.extack))
        return
    print("errno 0 OK")


def rewrite(count, gap_ms, list_a, list_b):
    cp = Catoproxy()
    lists = (("A", parse_list(list_a)), ("B", parse_list(list_b)))
    # CATOPROXY_REWRITE_SPLIT=1: empty the list, then add the rules one by
    # one, a replacement that is not atomic, for checking that rules.sh
    # notices one.
    split = os.environ.get("CATOPROXY_REWRITE_SPLIT") == "1"
    for k in range(count):
        name, rules = lists[k % 2]
        if split:
            cp.do("set-rules", {})
            for r in rules:
                cp.do("add-rule", {"rule": r})
        else:
            cp.do("set-rules", {"rule": rules})
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
            if argv[2] != "catoproxy":
                print("only the catoproxy family has a spec here",
                      file=sys.stderr)
                return 1
            f = Catoproxy().ynl.nlproto.genl_family
            print(json.dumps({"name": f["name"], "id": f["id"],
                              "maxattr": f.get("maxattr"),
                              "mcast_groups": f.get("mcast", {})},
                             sort_keys=True))
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
            try:
                Catoproxy().ynl.ntf_subscribe(argv[2])
            except OSError as e:
                raise NlError(e.errno, "") from e
            print("joined %s" % argv[2])
        elif what == "list-cases":
            print("\n".join(list(cases(Catoproxy().ynl)) + list(VALID)))
        elif what == "cases":
            cp = Catoproxy()
            known = cases(cp.ynl)
            names = argv[2:] or list(known)
            for n in names:
                if n not in known and n not in VALID:
                    print("unknown case %s" % n, file=sys.stderr)
                    return 1
            run_cases(cp, known, names)
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
