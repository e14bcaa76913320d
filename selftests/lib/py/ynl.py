# SPDX-License-Identifier: GPL-2.0
"""The catoproxy family through the kernel's YNL Python library.

The library is tools/net/ynl/lib of a kernel source tree: tools/ynl-gen.sh
--lib extracts it from Debian's linux-source package and prints the
directory holding it; selftests/vm/run.sh copies it for the guest and
names the copy's directory in CATOPROXY_YNL. Without that variable, the
newest tree tools/ynl-gen.sh left in its cache is used. The library's
package is called "lib", as ours is: it is imported as "ynl_lib".

The family is described by Documentation/netlink/specs/catoproxy.yaml, the
spec the UAPI header and the kernel's policies are generated from."""

import glob
import importlib.util
import os
import re
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../..")
SPEC = os.path.normpath(
    os.path.join(TOP, "Documentation/netlink/specs/catoproxy.yaml"))


def ynl_dir():
    """The directory of the YNL library package (tools/net/ynl)."""
    d = os.environ.get("CATOPROXY_YNL")
    if not d:
        cache = os.environ.get("XDG_CACHE_HOME") or \
            os.path.expanduser("~/.cache")
        trees = glob.glob(os.path.join(cache, "catoproxy", "linux-source-*",
                                       "tools/net/ynl"))
        trees.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p)])
        d = trees[-1] if trees else ""
    if not d or not os.path.isfile(os.path.join(d, "lib", "__init__.py")):
        raise ImportError("the kernel's YNL library is not at '%s': run "
                          "tools/ynl-gen.sh --lib (or set CATOPROXY_YNL)" % d)
    return d


def ynl_lib():
    """The library package (YnlFamily, Netlink, NlError, NlMsgs...)."""
    if "ynl_lib" in sys.modules:
        return sys.modules["ynl_lib"]
    d = os.path.join(ynl_dir(), "lib")
    spec = importlib.util.spec_from_file_location(
        "ynl_lib", os.path.join(d, "__init__.py"),
        submodule_search_locations=[d])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["ynl_lib"] = mod
    spec.loader.exec_module(mod)
    return mod


def family(process_unknown=True):
    """A YnlFamily for catoproxy: its own socket, the family resolved.
    The spec is genetlink-legacy, which the library cannot check against
    a schema of its own: no schema. Unknown attributes in replies are
    kept as "UnknownAttr(N)" (new ones are appended, see the spec)."""
    return ynl_lib().YnlFamily(SPEC, schema="",
                               process_unknown=process_unknown)
