"""Issue 38 in the app: nothing the user saved or typed is lost, and every fault with the
settings file gets one clear line in the banner. The app is built as ``handcue gui`` builds it
(:func:`app.gui.app.build_context`), on the isolated config folder of each test.

- case 13: a settings file far beyond what any settings file holds is refused at start in
  well under a second, and the banner names the file and the limit.
"""

from __future__ import annotations

import time

import app.gui.app as gui_app
from pipeline.actions.sink import RecordingSink
from pipeline.settings import config_path
from pipeline.settings.bounds import MAX_DEPTH


# ------------------------------------------------------------------ case 13
def test_a_huge_settings_file_is_refused_at_start_and_the_banner_names_the_limit(
    qtbot, make_window
):
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[" + ".".join(["a"] * 100_000) + "]\n", encoding="utf-8")
    before = path.read_bytes()
    start = time.perf_counter()
    ctx = gui_app.build_context(sink=RecordingSink())
    elapsed = time.perf_counter() - start
    window = make_window(ctx)
    text = window.banner.label.text()
    assert str(path) in text and f"more than {MAX_DEPTH} levels" in text
    assert window.banner.level == "warning"
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert path.read_bytes() == before
