# `python -m reach` runs the command line, which lives in cli/ beside views/ (both stand on
# reach/). This is the one import from reach/ upwards, kept so the documented command works.
from cli.main import main

raise SystemExit(main())
