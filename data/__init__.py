"""The store (`store`, `schema`), the files that fill it (`importers`) and the demo authority.

Importing this package also stops numpy asking Linux for transparent huge pages for its large
arrays. numpy asks by default (`madvise`), and where the kernel honours such requests only on
request (the usual setting, `[madvise]` in /sys/kernel/mm/transparent_hugepage/enabled) it then
tries to compact memory at every first touch of a new array, often in vain on a virtual machine.
Measured on a 2-core machine of that kind: filling a new array of 800 MB took 1.17 s with the
request and 0.29 s without it, and the trend of 120 month-ends at England scale, which makes
arrays of millions of rows, 12.4 s and 9.5 s. Every process that uses Reach's store imports this
package first, so the setting is made once, here. (`NUMPY_MADVISE_HUGEPAGE=1` asks again.)
"""

from __future__ import annotations

import os


def _no_huge_pages() -> None:
    if os.environ.get("NUMPY_MADVISE_HUGEPAGE") == "1":
        return
    from numpy._core import multiarray

    # A private function of numpy's (since 1.20), the one its NUMPY_MADVISE_HUGEPAGE sets.
    set_madvise_hugepage = getattr(multiarray, "_set_madvise_hugepage", None)
    if set_madvise_hugepage is not None:
        set_madvise_hugepage(False)


_no_huge_pages()
