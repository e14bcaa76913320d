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
"""

import sys

from lib.py import check_main, get, ksft_eq, load_result


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


CHECKS = {"show_conns": show_conns, "show_conns_site": show_conns_site,
          "show_conns_site_del": show_conns_site_del, "big_dump": big_dump}


def main(argv):
    return check_main(argv, __doc__, CHECKS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
