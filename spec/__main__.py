"""`python -m akid.spec ...` is the `akid` command."""
import sys

from akid.spec.cli import main

sys.exit(main())
