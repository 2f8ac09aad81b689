"""Run the ndcodecs command: python -m ndcodecs."""

import sys

from .cli import main

sys.exit(main())
