# SPDX-License-Identifier: GPL-2.0
"""Connection events: the file "catoproxyctl -j monitor" writes, one JSON
object per line (lib.sh's monitor_start). A test step remembers the file's
line count before it starts and looks only at the lines after it.

Values are compared as lib.sh's events_count compares them: as their
str(), so that a filter from the command line ("accel=1", "site_name=None"
for an absent key) matches an integer, a string or a missing key alike.

Run as "python3 -m lib.py.events summary FILE FROM KEY..." (from
selftests/), it prints events_summary()'s lines: lib.sh's events_summary.
"""

import collections
import json
import sys

__all__ = ["read_events", "ev_match", "ev_filter", "ev_count",
           "events_summary"]


def read_events(path, start=0):
    """The events after line start of path, as dicts."""
    with open(path) as f:
        return [json.loads(line) for i, line in enumerate(f) if i >= start]


def ev_match(e, **want):
    """e has every KEY=VALUE of want (compared as str(); a VALUE that is a
    tuple or set: any of its members)."""
    for k, v in want.items():
        got = str(e.get(k))
        if isinstance(v, (tuple, list, set, frozenset)):
            if got not in {str(x) for x in v}:
                return False
        elif got != str(v):
            return False
    return True


def ev_filter(evs, **want):
    return [e for e in evs if ev_match(e, **want)]


def ev_count(evs, **want):
    return len(ev_filter(evs, **want))


def events_summary(evs, keys):
    """One line per distinct combination of the keys' values among evs,
    "v1 v2 ... xCOUNT", sorted (an absent key: None)."""
    c = collections.Counter(" ".join(str(e.get(k)) for k in keys)
                            for e in evs)
    return ["%s x%d" % (k, c[k]) for k in sorted(c)]


def main(argv):
    if len(argv) < 4 or argv[1] != "summary":
        print("usage: python3 -m lib.py.events summary FILE FROM KEY...",
              file=sys.stderr)
        return 1
    for line in events_summary(read_events(argv[2], int(argv[3])), argv[4:]):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
