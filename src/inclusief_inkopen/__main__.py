import sys

from inclusief_inkopen.cli import main

sys.exit(main())
