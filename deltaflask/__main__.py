"""``python -m deltaflask``."""

from deltaflask.cli import main

raise SystemExit(main())
