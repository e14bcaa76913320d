# SPDX-License-Identifier: GPL-2.0
"""Reading a probe's result in a checker."""

import json

from .ksft import ksft_fail

__all__ = ["load_result", "get"]


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
