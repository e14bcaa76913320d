# SPDX-License-Identifier: GPL-2.0
"""catoproxyctl -j: the CLI run with JSON output, parsed."""

import json
import os
import subprocess

CTL = os.environ.get("CATOPROXYCTL") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "../../../tools/catoproxyctl/catoproxyctl")


def ctl(*args, ns=None, path=None):
    """catoproxyctl [-n NS] -j ARGS...: its parsed JSON output (None when
    it prints nothing). Raises OSError when it fails or prints no JSON."""
    cmd = [path or CTL] + (["-n", ns] if ns else []) + ["-j"] + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise OSError("%s: rc %d: %s" % (" ".join(args), r.returncode,
                                         (r.stdout + r.stderr).strip()))
    if not r.stdout.strip():
        return None
    try:
        return json.loads(r.stdout)
    except ValueError:
        raise OSError("%s: no JSON: %s" % (" ".join(args), r.stdout.strip()))


def ctl_stats(ns=None, path=None):
    """The counters of "show stats" (the integer ones) as a dict."""
    d = ctl("show", "stats", ns=ns, path=path)
    return {k: v for k, v in d.items() if isinstance(v, int)}
