import sys

from artgen.cli import main

sys.exit(main())
