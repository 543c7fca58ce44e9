"""Entry script of the bundled build (PyInstaller runs this file as ``__main__``).

``--input-guardian`` (the app starts its input guardian through its own binary) is dispatched
before ``app.cli`` is imported: the guardian needs neither the command line nor the version
lookup (importlib.metadata), which were most of its start-up CPU, spent beside the app's own
start-up."""

import sys

if __name__ == "__main__":
    if sys.argv[1:] == ["--input-guardian"]:
        from app.desktop import guardian

        sys.exit(guardian.main([]))
    from app.cli import main

    sys.exit(main())
