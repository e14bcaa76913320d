# SPDX-License-Identifier: GPL-2.0
"""Asserts and KTAP output, after the kernel's net/lib/py/ksft.py.

An assert that fails prints "# FAIL: <comment>: expected ..., got ..."
(the lib.sh wording, so that a log reads the same whichever language made
the check) and marks the run failed; it does not raise, so that one run
reports every check that failed. ksft_exit() gives the exit code: a shell
test calls a checker script and fails the sub-test on a non-zero code
(lib.sh's py_check); a Python test reports its cases with ktap_result().
"""

import sys
import traceback

__all__ = ["KSFT_PASS", "KSFT_FAIL", "KSFT_SKIP", "ksft_pr", "ksft_fail",
           "ksft_eq", "ksft_ne", "ksft_true", "ksft_in", "ksft_ge",
           "ksft_le", "ksft_lt", "ksft_failed", "ksft_reset", "ksft_exit",
           "ktap_header", "ktap_plan", "ktap_result", "ktap_finished",
           "ksft_main", "check_main", "json_main"]

KSFT_PASS = 0
KSFT_FAIL = 1
KSFT_SKIP = 4

_failed = False
_counts = {"pass": 0, "fail": 0, "skip": 0}


def ksft_pr(*objs, **kwargs):
    """A KTAP diagnostic line (or lines)."""
    for line in " ".join(str(o) for o in objs).splitlines() or [""]:
        print("#", line, **kwargs)
    sys.stdout.flush()


def ksft_fail(comment):
    global _failed
    _failed = True
    ksft_pr("FAIL: %s" % comment)


def _show(v):
    return "'%s'" % v if isinstance(v, str) else repr(v)


def ksft_eq(expected, seen, comment=""):
    """seen == expected. Note the order: expected first, as lib.sh's
    assert_eq."""
    if seen != expected:
        ksft_fail("%s: expected %s, got %s" % (comment, _show(expected),
                                                _show(seen)))
        return False
    return True


def ksft_ne(unexpected, seen, comment=""):
    if seen == unexpected:
        ksft_fail("%s: got %s, which it must not be" % (comment, _show(seen)))
        return False
    return True


def ksft_true(cond, comment="", seen=None):
    """cond holds; seen, if given, is printed when it does not."""
    if not cond:
        ksft_fail("%s%s" % (comment, "" if seen is None
                            else ": got %s" % _show(seen)))
        return False
    return True


def ksft_in(item, container, comment=""):
    if item not in container:
        ksft_fail("%s: %s not in %s" % (comment, _show(item),
                                        _show(container)))
        return False
    return True


def ksft_ge(seen, least, comment=""):
    if not seen >= least:
        ksft_fail("%s: expected at least %s, got %s" % (comment, _show(least),
                                                         _show(seen)))
        return False
    return True


def ksft_le(seen, most, comment=""):
    if not seen <= most:
        ksft_fail("%s: expected at most %s, got %s" % (comment, _show(most),
                                                        _show(seen)))
        return False
    return True


def ksft_lt(seen, bound, comment=""):
    if not seen < bound:
        ksft_fail("%s: expected less than %s, got %s" % (comment,
                                                          _show(bound),
                                                          _show(seen)))
        return False
    return True


def ksft_failed():
    return _failed


def ksft_reset():
    global _failed
    _failed = False


def ksft_exit():
    """Exit code of a checker: KSFT_FAIL once any assert failed."""
    return KSFT_FAIL if _failed else KSFT_PASS


def ktap_header():
    print("TAP version 13")


def ktap_plan(n):
    print("1..%d" % n)


def ktap_result(ok, description, skip=False):
    """One "ok N"/"not ok N" line; resets the failed mark."""
    n = sum(_counts.values()) + 1
    if skip:
        _counts["skip"] += 1
        print("ok %d %s # SKIP" % (n, description))
    else:
        _counts["pass" if ok else "fail"] += 1
        print("%sok %d %s" % ("" if ok else "not ", n, description))
    sys.stdout.flush()
    ksft_reset()


def ktap_finished():
    print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0"
          % (_counts["pass"], _counts["fail"], _counts["skip"]))
    if _counts["fail"]:
        return KSFT_FAIL
    if not _counts["pass"] and _counts["skip"]:
        return KSFT_SKIP
    return KSFT_PASS


def ksft_main(func, *args):
    """Run a checker: func(*args) asserts; an exception in it is a failed
    check with its traceback as diagnostics. Returns the exit code."""
    try:
        func(*args)
    except Exception:  # noqa: BLE001 -- any crash fails the check
        ksft_fail("%s raised:" % func.__name__)
        ksft_pr(traceback.format_exc().rstrip())
    return ksft_exit()


def check_main(argv, doc, checks):
    """The command line of a checker script: argv[1] names one of checks
    (name -> function asserting over the remaining arguments), run with
    ksft_main. Without a known check or arguments, prints doc and returns
    1."""
    if len(argv) < 3 or argv[1] not in checks:
        print(doc, file=sys.stderr)
        return 1
    return ksft_main(checks[argv[1]], *argv[2:])


def json_main(argv, doc, commands):
    """The command line of a probe script: argv[1] names one of commands
    (name -> function of the remaining arguments, returning a dict), whose
    result is printed as one JSON object. Without a known command, prints
    doc and returns 1."""
    import json
    if len(argv) < 2 or argv[1] not in commands:
        print(doc, file=sys.stderr)
        return 1
    try:
        r = commands[argv[1]](argv[2:])
    except (IndexError, ValueError):
        print(doc, file=sys.stderr)
        raise
    print(json.dumps(r))
    return 0
