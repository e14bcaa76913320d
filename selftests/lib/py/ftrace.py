# SPDX-License-Identifier: GPL-2.0
"""What the kernel calls, from the function-graph tracer: for assertions no
counter can make, such as "nothing is sent from inside conntrack's table
walk" (its bucket locks held) or "the timer looks at no more than 256
entries a tick". Only the functions named are traced; a leaf is counted
inside the root call it happened in, in the same task (a root that sleeps
may go on on another CPU).

From Python: start(roots, leaves), then stop() gives the trace and
calls(trace, roots, leaves) the leaves' count in each call of a root;
what runs inside a function named in skip is not counted.
From a shell (one process each):
    python3 -m lib.py.ftrace available       exit 0 iff it can trace
    python3 -m lib.py.ftrace start ROOT,... LEAF,...
    python3 -m lib.py.ftrace stop ROOT,... LEAF,...  prints "CALLS MAX
        TOTAL": the calls of a ROOT traced, the most LEAF calls in one of
        them, and in all
"""

import os
import re
import sys

TRACEFS = "/sys/kernel/tracing"
# " CPU) COMM-PID | duration | body" (funcgraph-proc): COMM is cut to 7
# characters and may hold "-" and spaces.
LINE = re.compile(r"^\s*(\d+)\)\s*(.*?)-(\d+)\s*\|(.*)$")
# A softirq may run inside a root, in its task, on its way out of a
# bottom-half-disabled section: what it calls (a TCP timer's
# retransmission in another namespace, say) is not the root's doing. These
# are traced too, and nothing inside them is counted. Hard interrupts are
# not traced at all (funcgraph-irqs off).
SOFTIRQS = ("net_rx_action", "net_tx_action", "run_timer_softirq",
            "hrtimer_run_softirq", "tasklet_action", "tasklet_hi_action",
            "rcu_core_si", "blk_done_softirq")


def _write(name, text):
    with open(os.path.join(TRACEFS, name), "w") as f:
        f.write(text)


def _read(name):
    with open(os.path.join(TRACEFS, name)) as f:
        return f.read()


def available():
    """Whether the function-graph tracer can be used (tracefs mounted here
    when it is not yet: the test VM does not mount it)."""
    if not os.path.exists(os.path.join(TRACEFS, "available_tracers")):
        os.system("mount -t tracefs nodev %s 2>/dev/null" % TRACEFS)
    try:
        return "function_graph" in _read("available_tracers").split()
    except OSError:
        return False


def _filter(name, funcs, optional=()):
    """One function a write, so that a name the kernel does not know fails
    alone: an error for funcs, ignored for optional ones."""
    _write(name, "")
    for fn in list(funcs) + list(optional):
        try:
            with open(os.path.join(TRACEFS, name), "a") as f:
                f.write(fn + "\n")
        except OSError:
            if fn not in optional:
                raise


def start(roots, leaves, skip=()):
    """Trace leaves inside roots; what runs inside a function of skip (or
    of SOFTIRQS) is left out of the count."""
    _write("tracing_on", "0")
    _write("current_tracer", "nop")
    _write("buffer_size_kb", "8192")
    _write("trace", "")
    _write("options/funcgraph-irqs", "0")
    _write("options/funcgraph-proc", "1")
    _filter("set_ftrace_filter", list(roots) + list(leaves) + list(skip),
            SOFTIRQS)
    _filter("set_graph_function", roots)
    _write("current_tracer", "function_graph")
    _write("tracing_on", "1")


def stop():
    _write("tracing_on", "0")
    text = _read("trace")
    _write("current_tracer", "nop")
    _write("options/funcgraph-irqs", "1")
    _write("options/funcgraph-proc", "0")
    _write("set_graph_function", "")
    _write("set_ftrace_filter", "")
    _write("trace", "")
    return text


def _named(body, fns):
    return any(re.search(r"(^|[\s|])%s(\s\[\w+\])?\(\)" % re.escape(fn),
                         body) for fn in fns)


def calls(text, roots, leaves, skip=()):
    """The number of calls of any of leaves in each call of any of roots,
    in trace order, none counted inside a function of skip or SOFTIRQS; a
    call not seen to end (cut off by the end of the trace) comes last,
    with what was seen of it. Lines are grouped by task: a root that
    sleeps may go on on another CPU, and another task may run on its CPU
    meanwhile. The idle tasks all have PID 0: theirs by CPU too."""
    skip = tuple(skip) + SOFTIRQS
    out, depth, count, irq = [], {}, {}, {}
    for ln in text.splitlines():
        m = LINE.match(ln)
        if not m:
            continue
        pid, body = m.group(3), m.group(4).rstrip()
        task = pid if pid != "0" else "0/" + m.group(1)
        if task not in depth:
            if not _named(body, roots):
                continue
            if body.endswith(";"):
                out.append(0)  # nothing traced inside
                continue
            depth[task], count[task] = 0, 0
        if task not in irq and _named(body, skip) and body.endswith("{"):
            irq[task] = depth[task]
        if task not in irq and _named(body, leaves):
            count[task] += 1
        if body.endswith("{"):
            depth[task] += 1
        elif body.endswith("}"):
            depth[task] -= 1
            if irq.get(task) == depth[task]:
                del irq[task]
            if depth[task] == 0:
                out.append(count.pop(task))
                del depth[task]
    out.extend(count.values())
    return out


def main(argv):
    if len(argv) == 2 and argv[1] == "available":
        return 0 if available() else 1
    if len(argv) == 4 and argv[1] == "start":
        start(argv[2].split(","), argv[3].split(","))
        return 0
    if len(argv) == 4 and argv[1] == "stop":
        n = calls(stop(), argv[2].split(","), argv[3].split(","))
        print(len(n), max(n, default=0), sum(n))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
