import sys

from reach.cli import main

sys.exit(main())
