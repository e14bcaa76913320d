# SPDX-License-Identifier: GPL-2.0
"""A strict reader of the Prometheus text exposition format (0.0.4), the
one node_exporter's textfile collector reads: what "catoproxyctl show
stats prometheus" prints must pass it.

parse(text) returns {name: {"help": str, "type": str, "samples":
{labels: value}}} in the order the families come, labels a tuple of
(name, value) pairs; anything the format does not allow raises
PromError with the line number. Stricter than the format where it costs
nothing to be: every family has its HELP and its TYPE, both before its
samples, and its lines are contiguous. Usable from the shell:
python3 -m lib.py.prom FILE prints "N families" or the error.
"""

import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
# A Go ParseFloat value: what the format's reader takes.
VALUE = re.compile(r"^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+"
                   r"(?:[eE][+-]?\d+)?)|[+-]?Inf|NaN)$")
SAMPLE = re.compile(r"^(%s)(\{[^}]*\})? (\S+)(?: (-?\d+))?$" % NAME)
LABEL_PAIR = re.compile(r'(%s)="((?:[^"\\\n]|\\[\\"n])*)"' % LABEL)


class PromError(ValueError):
    pass


def _labels(text, lineno):
    if not text:
        return ()
    body = text[1:-1]
    pairs, pos = [], 0
    while pos < len(body):
        m = LABEL_PAIR.match(body, pos)
        if not m:
            raise PromError("line %d: bad labels %s" % (lineno, text))
        pairs.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(body):
            if body[pos] != ",":
                raise PromError("line %d: bad labels %s" % (lineno, text))
            pos += 1
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        raise PromError("line %d: a label twice in %s" % (lineno, text))
    return tuple(sorted(pairs))


def _family_of(name, families):
    """The family a sample NAME belongs to (histograms and summaries add
    suffixes)."""
    if name in families:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and base in families and \
                families[base]["type"] in ("histogram", "summary"):
            return base
    return None


def parse(text):
    if text and not text.endswith("\n"):
        raise PromError("the last line has no newline")
    families, current, done = {}, None, set()
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            m = re.match(r"^# (HELP|TYPE) (%s)(?: (.*))?$" % NAME, line)
            if not m:
                if re.match(r"^# *(HELP|TYPE)\b", line):
                    raise PromError("line %d: malformed %s" % (lineno, line))
                continue  # a plain comment
            kind, name, rest = m.group(1), m.group(2), m.group(3)
            if name in done:
                raise PromError("line %d: family %s again" % (lineno, name))
            if current and current != name:
                done.add(current)
            f = families.setdefault(name, {"help": None, "type": None,
                                           "samples": {}})
            current = name
            if f["samples"]:
                raise PromError("line %d: %s after %s's samples" %
                                (lineno, kind, name))
            if kind == "HELP":
                if f["help"] is not None:
                    raise PromError("line %d: a second HELP" % lineno)
                if rest is None or re.search(r"\\[^\\n]|\\$", rest):
                    raise PromError("line %d: bad HELP text" % lineno)
                f["help"] = rest.replace("\\n", "\n").replace("\\\\", "\\")
            else:
                if f["type"] is not None:
                    raise PromError("line %d: a second TYPE" % lineno)
                if rest not in TYPES:
                    raise PromError("line %d: bad TYPE %r" % (lineno, rest))
                f["type"] = rest
            continue
        if not line.strip():
            raise PromError("line %d: an empty line" % lineno)
        m = SAMPLE.match(line)
        if not m or not VALUE.match(m.group(3)):
            raise PromError("line %d: not a sample: %r" % (lineno, line))
        fam = _family_of(m.group(1), families)
        if fam is None or fam in done or fam != current:
            raise PromError("line %d: sample %s outside its family" %
                            (lineno, m.group(1)))
        f = families[fam]
        if f["help"] is None or f["type"] is None:
            raise PromError("line %d: %s has no HELP or no TYPE" %
                            (lineno, fam))
        key = (m.group(1), _labels(m.group(2), lineno))
        if key in f["samples"]:
            raise PromError("line %d: sample %s again" % (lineno, line))
        value = float(m.group(3))
        if f["type"] == "counter" and (value < 0 or math.isnan(value)):
            raise PromError("line %d: counter %s below 0" % (lineno, fam))
        f["samples"][key] = value
    for name, f in families.items():
        if not f["samples"]:
            raise PromError("family %s has no sample" % name)
    return families


def main(argv):
    try:
        with open(argv[1]) as f:
            print("%d families" % len(parse(f.read())))
    except PromError as e:
        print("invalid: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
