# SPDX-License-Identifier: GPL-2.0
"""The catoproxy selftests' Python library, after the kernel's
tools/testing/selftests/net/lib/py: asserts and KTAP (ksft), network
namespaces (netns), sockets (sockets: one listener, one echo server, one
hold), packets (packet) and the CLI (ctl). Stdlib only: importing scapy or
the like costs seconds per process in the TCG test VM.

A script in selftests/ imports it as "from lib.py import ..."."""

from .ksft import *  # noqa: F401,F403
from .netns import netns  # noqa: F401
from .sockets import *  # noqa: F401,F403
from .ctl import ctl, ctl_stats  # noqa: F401
from .utils import *  # noqa: F401,F403
