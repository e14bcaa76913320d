# SPDX-License-Identifier: GPL-2.0
"""Network namespaces: sockets opened in a test namespace from this
process, so that both ends of a connection live in one process."""

import ctypes
import os
from contextlib import contextmanager

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


@contextmanager
def netns(name):
    """Run the block (this thread only) in network namespace NAME (as
    "ip netns" names it); None or "" stays in the current one."""
    if not name:
        yield
        return
    cur = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    tgt = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if _libc.setns(tgt, CLONE_NEWNET):
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (name, os.strerror(e)))
        try:
            yield
        finally:
            _libc.setns(cur, CLONE_NEWNET)
    finally:
        os.close(tgt)
        os.close(cur)
