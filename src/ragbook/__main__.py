"""``python -m ragbook``: the same as the ``ragbook`` command."""

import sys

from ragbook.cli import main

if __name__ == "__main__":
    sys.exit(main())
