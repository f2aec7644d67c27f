"""`python -m monitoring.cli`: the same as the `attest` console script."""

import sys

from monitoring.cli.main import main

sys.exit(main())
