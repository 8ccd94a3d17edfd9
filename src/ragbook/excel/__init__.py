"""ragbook inside Excel: the add-in's buttons and worksheet functions, through xlwings.

xlwings reads its licence key when it is first imported, so the key is set here, before
any module of this package imports xlwings: ``noncommercial`` (PolyForm Noncommercial,
which permits government institutions) unless one is already set. A key in the add-in
project's ``.env`` still wins over this default (see :func:`ragbook.excel.server.configure`).
"""

import os

LICENCE_KEY = "XLWINGS_LICENSE_KEY"
licence_defaulted = LICENCE_KEY not in os.environ
"""True when the key above is ragbook's default, not one the environment gave."""
os.environ.setdefault(LICENCE_KEY, "noncommercial")
