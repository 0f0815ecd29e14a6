"""`python -m posture`: the command line, as the `posture` script runs it."""

import sys

from posture.app.cli import main

sys.exit(main())
