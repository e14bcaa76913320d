# SPDX-License-Identifier: GPL-2.0
"""Reading a probe's result in a checker."""

import json

from .ksft import ksft_eq, ksft_fail, ksft_pr

__all__ = ["load_result", "get", "check_eq", "check_transfers",
           "conn_outcome"]


def load_result(path, what="probe"):
    """The JSON object a probe wrote to path, or None (and a failure that
    shows the probe's stderr, which the shell left in path.err)."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    try:
        with open(path + ".err") as f:
            err = f.read(2000)
    except OSError:
        err = ""
    ksft_fail("%s: no JSON result: %s" % (what, err))
    return None


def get(fn):
    """fn(), or "?" when it cannot be evaluated (a key is missing, a value
    has the wrong type): the shell tests' "?" for what could not be read,
    which no check expects."""
    try:
        return fn()
    except (KeyError, TypeError, IndexError, ValueError, AttributeError):
        return "?"


def check_eq(want, d, summary, desc):
    """summary(d) is want; the whole result d printed when it is not."""
    if not ksft_eq(want, get(lambda: summary(d)), desc):
        ksft_pr("probe result: %s" % json.dumps(d))
        return False
    return True


def check_transfers(d, desc, n=4):
    """A "bulk.py bulk" or "bulk.py span" result d: its n transfers (an
    upload and a download per family) arrived intact at both ends."""
    if not ksft_eq("conns=%d client_ok=%d server_ok=%d" % (n, n, n),
                   "conns=%s client_ok=%s server_ok=%s" % (
                       d.get("conns"), d.get("client_ok"),
                       d.get("server_ok")),
                   "%s: transfers (upload + download per family)" % desc):
        ksft_pr("errors: %s" % "; ".join(d.get("errors", []))[:1000])
        return False
    return True


def conn_outcome(r):
    """One target's result of "bulk.py refused" ({"connect", "recv"}) in a
    word: "reset" (reset in connect(), or in the first recv() after it:
    the RST may reach the client before connect() returns to the program),
    "refused" (ECONNREFUSED in connect()), else "connect=X,recv=Y"."""
    cr = (r["connect"], r["recv"])
    if cr in (("ok", "ECONNRESET"), ("ECONNRESET", "none")):
        return "reset"
    if cr == ("ECONNREFUSED", "none"):
        return "refused"
    return "connect=%s,recv=%s" % cr
