"""ragbook inside Excel: the add-in's buttons and worksheet functions, through xlwings.

xlwings reads its licence key when it is first imported, so the key is set here, before
any module of this package imports xlwings: ``noncommercial`` (PolyForm Noncommercial,
which permits government institutions) unless one is already set.
"""

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
