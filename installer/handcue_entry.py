"""Entry script of the bundled build (PyInstaller runs this file as ``__main__``)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
