"""A Tk window that logs the mouse buttons it receives, for the click-palette end-to-end test:
one JSON line per event to FILE (``press``/``release`` with the X button number and root
position, ``double`` for Tk's double click of button 1). Covers x >= LEFT of the screen.

Usage: python click_receiver.py FILE LEFT WIDTH HEIGHT
"""

from __future__ import annotations

import json
import sys
import tkinter as tk


def main() -> int:
    out = open(sys.argv[1], "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives as long as Tk)
    left, width, height = (int(v) for v in sys.argv[2:5])
    root = tk.Tk(className="clickreceiver")
    root.title("HandCueClickReceiver")
    root.geometry(f"{width}x{height}+{left}+0")
    root.configure(background="#e8e8e8")

    def log(kind: str, e: tk.Event) -> None:
        out.write(json.dumps({"kind": kind, "button": e.num, "x": e.x_root, "y": e.y_root}) + "\n")

    root.bind("<ButtonPress>", lambda e: log("press", e))
    root.bind("<ButtonRelease>", lambda e: log("release", e))
    root.bind("<Double-Button-1>", lambda e: log("double", e))
    root.after(200, lambda: out.write(json.dumps({"kind": "ready"}) + "\n"))
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
