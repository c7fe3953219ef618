"""``python -m core`` is ``attnscope-cli``."""

import sys

from core.cli import main

sys.exit(main())
