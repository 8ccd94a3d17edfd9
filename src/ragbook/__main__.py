"""``python -m ragbook``: the same as the ``ragbook`` command."""

import sys

from ragbook.cli import main

sys.exit(main())
