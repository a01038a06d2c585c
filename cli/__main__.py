# `python -m cli` is the same command line as `python -m reach`.
from cli.main import main

raise SystemExit(main())
