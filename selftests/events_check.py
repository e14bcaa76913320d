#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The assertions of selftests/events.sh over "catoproxyctl -j show conns"
(FILE: its JSON): one run per check, its "#" diagnostics and failures on
stdout, exit code 1 when an assert failed.

  events_check.py show_conns FILE K PORTS PORT CLIENT4 SERVER4 CLIENT6
                  SERVER6
        The 2*K connections held from the client ports PORTS (one
        argument, space-separated) to PORT are listed, engaged, delayed,
        decided by the account mode, and nothing else; the keys of an
        entry, in order.
  events_check.py show_conns_site FILE K PORTS PORT SITE_ID
        The held connections carry the site SITE_ID and its name "clients"
        (reason site-src); the keys of an entry with a site, in order.
  events_check.py show_conns_site_del FILE K PORTS PORT SITE_ID
        After the site's deletion: the same site id, no site_name.
  events_check.py big_dump FILE WANT
        WANT entries, each (family, sport) once.
  events_check.py conn_filters NS FILE K PORTS PORT CLIENT4 SERVER4
                  CLIENT6 SERVER6
        FILE holds the 2*K held connections of show_conns; in namespace
        NS, show conns with filters (src, dst, sport, dport, state, mode,
        alone and together) lists exactly the entries of FILE that the
        filters match, as many as expected, and with count prints
        {"count": N}, or N without -j.
  events_check.py timestamps TEXT TEXT_T JSON JSON_T PORT START END
        Of the events to port PORT (the monitors started at different
        moments: the others may differ), monitor -t (TEXT_T) printed the
        lines of the plain monitor (TEXT), each after
        "[SECONDS.MICROSECONDS] ", and -j monitor -t (JSON_T) the objects
        of JSON with "timestamp" (a number) first; the times do not go back
        and lie from START to END (seconds since the epoch).
"""

import ipaddress
import json
import re
import socket
import subprocess
import sys

from lib.py import check_main, ctl, get, ksft_eq, ksft_true, load_result
from lib.py.ctl import CTL


def held(d, ports, port):
    """The entries of the held connections."""
    ports = ports.split()
    return [c for c in d if c["dport"] == port and str(c["sport"]) in ports]


def show_conns(path, k, ports, port, client4, server4, client6, server6):
    k, port = int(k), int(port)
    d = load_result(path, "show conns -j") or []
    ksft_eq(2 * k, get(lambda: len([
        c for c in held(d, ports, port)
        if c["state"] == "engaged" and c["mode"] == "delayed" and
        c["accel"] == 0 and c["reason"] == "account" and
        c["site_id"] == 0 and (c["family"], c["saddr"], c["daddr"]) in (
            ("ipv4", client4, server4), ("ipv6", client6, server6))])),
        "show conns -j: held connections, as expected")
    ksft_eq(2 * k, len(d), "show conns -j: nothing else after the flush")
    ksft_eq("family saddr sport daddr dport mode accel state site_id reason",
            get(lambda: " ".join(d[0])), "show conns -j: keys")
    ksft_eq(" ".join(sorted(ports.split(), key=int)),
            get(lambda: " ".join(str(p) for p in
                                 sorted(c["sport"] for c in d))),
            "show conns -j: the same ports as the decision events")


def show_conns_site(path, k, ports, port, site_id):
    k, port, site_id = int(k), int(port), int(site_id)
    d = load_result(path, "show conns -j") or []
    sel = get(lambda: held(d, ports, port))
    ksft_eq(2 * k, get(lambda: len([
        c for c in sel if c["site_id"] == site_id and
        c.get("site_name") == "clients" and c["reason"] == "site-src" and
        c["state"] == "engaged"])),
        "show conns -j: held connections of site clients")
    ksft_eq("family saddr sport daddr dport mode accel state site_id "
            "site_name reason", get(lambda: " ".join(sel[0])),
            "show conns -j: keys with a site")


def show_conns_site_del(path, k, ports, port, site_id):
    k, port, site_id = int(k), int(port), int(site_id)
    d = load_result(path, "show conns -j") or []
    sel = get(lambda: held(d, ports, port))
    ksft_eq("%d 0" % (2 * k), get(lambda: "%d %d" % (
        len([c for c in sel if c["site_id"] == site_id]),
        len([c for c in sel if "site_name" in c]))),
        "show conns -j: after site del, same site id, no site_name")


def big_dump(path, want):
    want = int(want)
    d = load_result(path, "show conns -j") or []
    ksft_eq(want, len(d), "show conns -j: entries")
    ksft_eq(want, get(lambda: len(set((c["family"], c["sport"])
                                      for c in d))),
            "show conns -j: distinct")


def in_prefix(addr, prefix):
    a, _, plen = prefix.partition("/")
    fam = socket.AF_INET6 if ":" in a else socket.AF_INET
    if (":" in addr) != (fam == socket.AF_INET6):
        return False
    bits = 128 if fam == socket.AF_INET6 else 32
    plen = int(plen) if plen else bits
    x = int.from_bytes(socket.inet_pton(fam, addr), "big")
    y = int.from_bytes(socket.inet_pton(fam, a), "big")
    return x >> (bits - plen) == y >> (bits - plen)


def in_range(port, spec):
    lo, _, hi = spec.partition("-")
    return int(lo) <= port <= int(hi or lo)


def matches(c, words):
    """What the filter WORDS (a list, as show conns takes them) say of
    connection C, computed here from the unfiltered dump."""
    keys = dict(zip(words[0::2], words[1::2]))
    return ((("src" not in keys) or in_prefix(c["saddr"], keys["src"])) and
            (("dst" not in keys) or in_prefix(c["daddr"], keys["dst"])) and
            (("sport" not in keys) or in_range(c["sport"], keys["sport"])) and
            (("dport" not in keys) or in_range(c["dport"], keys["dport"])) and
            keys.get("state", c["state"]) == c["state"] and
            keys.get("mode", c["mode"]) == c["mode"])


def conn_filters(ns, path, k, ports, port, client4, server4, client6,
                 server6):
    k = int(k)
    d = load_result(path, "show conns -j") or []
    ksft_eq(2 * k, len(d), "the held connections, unfiltered")
    p = sorted(int(x) for x in ports.split())
    one = str(p[0])

    def net(addr, plen):
        return str(ipaddress.ip_network("%s/%d" % (addr, plen), strict=False))

    # the filter words, and how many of the 2*K held connections match
    # (None: at least one; ports of the two families may coincide)
    cases = [
        (["src", client4], k),
        (["src", net(client6, 64)], k),
        (["dst", net(server4, 24)], k),
        (["dst", "::/0"], k),
        (["sport", one], None),
        (["sport", "%d-%d" % (p[0], p[-1]), "mode", "delayed"], 2 * k),
        (["dport", port, "state", "engaged"], 2 * k),
        (["src", client4, "dst", server4, "dport", port, "state", "engaged",
          "mode", "delayed"], k),
        (["state", "waiting"], 0),
        (["mode", "full", "src", net(client6, 64)], 0),
        (["src", client6, "dst", server6], k),
        (["src", client6, "dst", server4], 0),
    ]
    for words, want in cases:
        desc = "show conns %s" % " ".join(words)
        got = ctl("show", "conns", *words, ns=ns)
        ksft_eq([c for c in d if matches(c, words)], got, desc)
        if want is None:
            want = get(lambda: len(got))
            ksft_true(want != "?" and want >= 1, "%s: some" % desc, seen=want)
        ksft_eq(want, get(lambda: len(got)), "%s: how many" % desc)
        ksft_eq({"count": want}, ctl("show", "conns", *words, "count", ns=ns),
                "%s count: -j" % desc)
    r = subprocess.run([CTL, "-n", ns, "show", "conns", "count", "src",
                        net(client6, 64)], capture_output=True, text=True)
    ksft_eq((0, "%d\n" % k, ""), (r.returncode, r.stdout, r.stderr),
            "show conns count src CLIENT6/64: text")


STAMP = re.compile(r"^\[(\d+)\.(\d{6})\] (.*)$")


def timestamps(text, text_t, js, js_t, port, start, end):
    start, end = int(start), int(end) + 1
    to_port = re.compile(r":%s mode " % port)
    with open(text) as f:
        plain = [x for x in f.read().splitlines() if to_port.search(x)]
    with open(text_t) as f:
        stamped = [x for x in f.read().splitlines() if to_port.search(x)]
    times, rest = [], []
    for line in stamped:
        m = STAMP.match(line)
        if not m:
            ksft_true(False, "monitor -t: a line without its time", seen=line)
            return
        times.append(int(m.group(1)) + int(m.group(2)) / 1e6)
        rest.append(m.group(3))
    ksft_true(len(plain) > 0, "monitor: some events")
    ksft_eq(plain, rest, "monitor -t: the plain lines after the times")
    ksft_eq(times, sorted(times), "monitor -t: times do not go back")
    ksft_true(all(start <= t <= end for t in times),
              "monitor -t: times within the test", seen=times[:3])

    with open(js) as f:
        objs = [o for o in (json.loads(x) for x in f)
                if o["dport"] == int(port)]
    with open(js_t) as f:
        raw = f.read().splitlines()
    ksft_eq([], [x for x in raw if not re.match(
        r'^\{"timestamp":\d+\.\d{6},"event":', x)],
        "-j monitor -t: lines not starting with the timestamp")
    objs_t = [o for o in (json.loads(x) for x in raw)
              if o["dport"] == int(port)]
    ksft_true(len(objs) > 0, "-j monitor: some events")
    jt = [o.pop("timestamp", None) for o in objs_t]
    ksft_eq(objs, objs_t, "-j monitor -t: the plain objects besides it")
    ksft_eq([], [t for t in jt if not isinstance(t, float) or
                 not start <= t <= end],
            "-j monitor -t: timestamps, numbers within the test")
    ksft_eq(jt, sorted(jt), "-j monitor -t: times do not go back")


CHECKS = {"show_conns": show_conns, "show_conns_site": show_conns_site,
          "show_conns_site_del": show_conns_site_del, "big_dump": big_dump,
          "conn_filters": conn_filters, "timestamps": timestamps}


def main(argv):
    return check_main(argv, __doc__, CHECKS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
