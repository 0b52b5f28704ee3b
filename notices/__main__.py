import sys

from notices.cli import main

sys.exit(main())
