"""Checks that need a real X display and OpenGL, run as a subprocess by test_real_display.py
(the Qt platform cannot change inside the pytest process) or by hand::

    xvfb-run -a python tests/app/gui/xvfb_checks.py plot3d
    xvfb-run -a python tests/app/gui/xvfb_checks.py e2e VIDEO
    xvfb-run -a python tests/app/gui/xvfb_checks.py shots OUT_DIR [VIDEO]
    xvfb-run -a -s "-screen 0 1024x640x24" python tests/app/gui/xvfb_checks.py windows_fit
    xvfb-run -a python tests/app/gui/xvfb_checks.py screen_shots OUT_DIR PREFIX VIDEO

Each prints one JSON line with its findings and exits 0 when the check passed, 1 when it failed,
77 when it cannot run here (e.g. models not installed).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

import numpy as np  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support import ROOT  # noqa: E402
from tests.support.waiting import poll  # noqa: E402


def pump(seconds: float) -> None:
    """Run the event loop for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(predicate, timeout_s: float) -> bool:
    """True once ``predicate()`` holds, running the event loop meanwhile; False on time-out."""
    return poll(predicate, timeout_s, sleep=pump)


def emit(result: dict, ok: bool) -> int:
    print(json.dumps(result), flush=True)
    return 0 if ok else 1


def image_array(qimage) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = qimage.convertToFormat(QImage.Format.Format_RGBA8888)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, count=img.sizeInBytes()).copy()
    return arr.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width(), :3]


def check_plot3d(_args: list[str]) -> int:
    from app.gui.plot3d import HandPlot3D
    from tests.support.gui_fakes import hand_from_landmarks, synthetic_landmarks

    plot = HandPlot3D(use_gl=True)
    plot.resize(480, 360)
    plot.show()
    pump(0.5)
    if plot.view is None:
        return emit({"error": "no OpenGL view"}, False)
    before = image_array(plot.view.grabFramebuffer())
    hands = [
        hand_from_landmarks(synthetic_landmarks(400, 400, 120), "Right", 1),
        hand_from_landmarks(synthetic_landmarks(900, 400, 120), "Left", 2),
    ]
    plot.set_hands(hands, 1280, mirrored=True)
    pump(0.3)
    after = image_array(plot.view.grabFramebuffer())
    changed = int(np.any(np.abs(after.astype(int) - before.astype(int)) > 30, axis=2).sum())
    # bones are drawn in the hands' colours
    from app.gui.video_view import HAND_COLOURS

    def near(colour):
        return int((np.abs(after.astype(int) - np.array(colour)).sum(axis=2) < 60).sum())

    right_px, left_px = near(HAND_COLOURS["Right"]), near(HAND_COLOURS["Left"])
    grid_px = int((before.astype(int).sum(axis=2) > 3 * 40).sum())  # grid lines over dark bg
    plot.view.orbit(40, 10)
    pump(0.2)
    rotated = image_array(plot.view.grabFramebuffer())
    moved = int(np.any(np.abs(rotated.astype(int) - after.astype(int)) > 30, axis=2).sum())
    plot.reset_view()
    cam = plot.camera()
    # The hands go; then frames without hands repaint nothing (software GL costs per frame).
    plot.set_hands([], 1280, mirrored=True)
    pump(0.3)
    after = image_array(plot.view.grabFramebuffer())
    cleared_px = near(HAND_COLOURS["Right"]) + near(HAND_COLOURS["Left"])
    from PySide6.QtCore import QEvent, QObject

    class PaintCounter(QObject):
        paints = 0

        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                PaintCounter.paints += 1
            return False

    counter = PaintCounter()
    plot.view.installEventFilter(counter)
    for _ in range(5):
        plot.set_hands([], 1280, mirrored=True)
        pump(0.1)
    ok = (
        changed > 300 and right_px > 30 and left_px > 30 and grid_px > 100 and moved > 100
        and cleared_px < 5 and PaintCounter.paints == 0
    )  # fmt: skip
    return emit({"changed_px": changed, "right_px": right_px, "left_px": left_px,
                 "grid_px": grid_px, "rotate_changed_px": moved, "camera": cam,
                 "cleared_px": cleared_px, "idle_paints": PaintCounter.paints}, ok)  # fmt: skip


def _real_window(video: str | None, **kwargs):
    from app.gui.app import build_context, make_application
    from app.gui.main_window import MainWindow
    from pipeline.actions.sink import RecordingSink

    make_application()
    ctx = build_context(sink=RecordingSink())
    window = MainWindow(ctx, **kwargs)
    window.resize(1280, 780)
    window.show()
    return window


def check_e2e(args: list[str]) -> int:
    video = args[0]
    try:
        from pipeline.tracking.tracker import HandTracker

        HandTracker()
    except Exception as exc:  # models not installed: the test skips
        print(json.dumps({"skip": str(exc)}))
        return 77
    window = _real_window(video)
    window.loop_box.setChecked(False)
    # Every frame, as the reference run: on a loaded machine real-time playback drops frames
    # and the result would depend on the machine's load.
    window.every_frame = "--realtime" not in args
    seen: list[str] = []

    def poll() -> bool:
        ids = window.hands.gesture_ids()
        if ids and (not seen or seen[-1] != ids[0]):
            seen.append(ids[0])
        return "thumb_up" in ids

    pump(0.3)
    native_at_start = int(window.winId())
    window.set_source(video)
    built_at_start = window.plot.built  # the 3D view waits for the first frame (start-up)
    ok = wait_until(poll, 90.0)
    gl = window.plot.view is not None
    # building the 3D view must not make Qt recreate the top-level window (the window manager
    # maps and focuses a recreated window: the first-run guide fell behind it)
    same_native_window = int(window.winId()) == native_at_start
    frame = window._latest
    result = {
        "labels_seen": seen,
        "banner": window.banner.label.text() if not window.banner.isHidden() else "",
        "fps": round(frame.fps, 1) if frame else None,
        "provider": frame.provider if frame else None,
        "gl": gl,
        "3d_built_at_start": built_at_start,
        "same_native_window": same_native_window,
        "log_tail": window.event_log.toPlainText().splitlines()[-3:],
    }
    window.quit_app()
    return emit(result, ok)


def check_shots(args: list[str]) -> int:
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    video = args[1] if len(args) > 1 else None
    from app.gui.mapping_editor import MappingEditor
    from app.gui.recorder import GestureRecorder

    app_ = QApplication.instance()
    empty = _real_window(None)
    pump(0.6)
    empty.grab().save(str(out / "main_empty.png"))
    empty.quit_app()
    del empty

    window = _real_window(video)
    files = {"main_empty": str(out / "main_empty.png")}
    if video:
        window.set_source(video)
        wait_until(lambda: "thumb_up" in window.hands.gesture_ids(), 90.0)
        pump(0.5)
        window.grab().save(str(out / "main_tracking.png"))
        files["main_tracking"] = str(out / "main_tracking.png")
    editor = MappingEditor(window.ctx, window)
    editor._fill_profiles(select="slides")
    editor.show()
    pump(0.4)
    editor.grab().save(str(out / "mapping_editor.png"))
    files["mapping_editor"] = str(out / "mapping_editor.png")
    editor.close()
    recorder = GestureRecorder(window.ctx, lambda: window._latest, window,
                               mirrored=window.video.mirrored)  # fmt: skip
    recorder.name_edit.setText("spock")
    recorder.show()
    if window._latest is not None and window._latest.result.hands:
        for hand in window._latest.result.hands:
            recorder.add_sample(hand)
    recorder._validate()
    pump(0.4)
    recorder.grab().save(str(out / "recorder.png"))
    files["recorder"] = str(out / "recorder.png")
    recorder.close()
    from app.gui.settings_dialog import SettingsDialog

    settings = SettingsDialog(window.ctx, window)
    settings.show()
    pump(0.3)
    settings.grab().save(str(out / "settings.png"))
    files["settings"] = str(out / "settings.png")
    settings.close()
    window.quit_app()
    QCoreApplication.processEvents()
    del app_
    return emit(files, all(Path(f).exists() for f in files.values()))


def check_models_missing(args: list[str]) -> int:
    """The real app with an empty models folder: it starts and says how to install them."""
    import shutil
    import tempfile

    # A fresh checkout: the manifest is there, the generated .onnx files are not.
    folder = tempfile.mkdtemp(prefix="handcue-no-models-")
    shutil.copy(ROOT / "models" / "manifest.toml", folder)
    os.environ["HANDCUE_MODELS_DIR"] = folder
    from app.gui.app import build_context, create_main_window
    from pipeline.actions.sink import RecordingSink

    window = create_main_window(build_context(sink=RecordingSink()))
    ok = wait_until(lambda: "handcue models install" in window.banner.label.text(), 30.0)
    if args:
        window.grab().save(args[0])
    result = {"banner": window.banner.label.text(), "visible": window.isVisible()}
    window.quit_app()
    return emit(result, ok and result["visible"])


def clipped_widgets(root) -> list[str]:
    """Visible labels, buttons and check boxes under ``root`` whose text does not fit (their
    width or height is below what the text needs), and widgets that stick out of the screen."""
    from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel, QWidget

    out = []
    screen = root.screen().availableGeometry()
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QAbstractButton | QLabel) and widget.text():
            if isinstance(widget, QLabel) and (
                widget.wordWrap() or widget.pixmap() is not None and not widget.pixmap().isNull()
            ):
                need_h = widget.heightForWidth(widget.width()) if widget.wordWrap() else 0
                if need_h > widget.height() + 2:
                    out.append(
                        f"{type(widget).__name__} {widget.text()[:40]!r}: height "
                        f"{widget.height()} < {need_h}"
                    )
                continue
            hint = widget.minimumSizeHint() if isinstance(widget, QCheckBox) else widget.sizeHint()
            if hint.width() > widget.width() + 2:
                out.append(
                    f"{type(widget).__name__} {widget.text()[:40]!r}: width "
                    f"{widget.width()} < {hint.width()}"
                )
        if widget.isWindow():
            g = widget.frameGeometry()
            if not screen.contains(g.topLeft()) or not screen.contains(g.bottomRight()):
                out.append(
                    f"window {widget.windowTitle()!r} {g.getRect()} is off the screen "
                    f"{screen.getRect()}"
                )
    return out


def check_screen_shots(args: list[str]) -> int:
    """The real app on a video, at whatever screen size and scale this display has: the main
    window, Mappings, Settings, the gallery, the guide and the toast, each saved as a whole
    screen shot (``import -window root``) into OUT_DIR with PREFIX; reports text that does not
    fit and windows that leave the screen."""
    import subprocess

    out, prefix, video = Path(args[0]), args[1], args[2]
    out.mkdir(parents=True, exist_ok=True)
    from app.gui.app import build_context, create_main_window
    from app.gui.mapping_editor import MappingEditor
    from app.gui.settings_dialog import SettingsDialog
    from pipeline.actions.sink import RecordingSink

    window = create_main_window(build_context(sink=RecordingSink()), source=video)
    window.loop_box.setChecked(True)
    files: dict[str, str] = {}
    problems: dict[str, list[str]] = {}

    def shot(name: str, widget) -> None:
        pump(0.6)
        path = out / f"{prefix}_{name}.png"
        subprocess.run(["import", "-window", "root", str(path)], check=True)
        files[name] = str(path)
        found = clipped_widgets(widget)
        if found:
            problems[name] = found

    wait_until(lambda: window.guide is not None and window.guide.isVisible(), 5.0)
    if window.guide is not None:
        shot("guide", window.guide)
        window.guide.close()
    wait_until(lambda: "thumb_up" in window.hands.gesture_ids(), 90.0)
    window.set_armed(True)  # the toast shows, and the button reads ARMED
    shot("main_armed_toast", window)
    editor = MappingEditor(window.ctx, window)
    editor.show()
    shot("mappings", editor)
    editor.close()
    settings = SettingsDialog(window.ctx, window)
    settings.show()
    shot("settings", settings)
    settings.close()
    window.open_gallery()
    shot("gallery", window.gallery)
    window.gallery.close()
    window.resize(window.width(), window.height())
    result = {"files": files, "problems": problems,
              "screen": window.screen().availableGeometry().getRect(),
              "window": window.frameGeometry().getRect()}  # fmt: skip
    window.quit_app()
    return emit(result, not problems)


def check_windows_fit(_args: list[str]) -> int:
    """Every window of the app opened on this display (size and scale as given by the test):
    each must fit on the screen with no text cut off; the main window's tool bar buttons must
    all be shown (no overflow arrow) and the mapping editor's Save/Cancel be on screen."""
    from app.gui.app import build_context
    from app.gui.main_window import MainWindow
    from app.gui.mapping_editor import MappingEditor
    from app.gui.recorder import GestureRecorder
    from app.gui.settings_dialog import SettingsDialog
    from pipeline.actions.sink import RecordingSink

    window = MainWindow(build_context(sink=RecordingSink()), enable_3d=False)
    window.show()
    pump(0.5)
    problems: dict[str, list[str]] = {}

    def look(name: str, widget) -> None:
        widget.show()
        pump(0.4)
        found = clipped_widgets(widget)
        if found:
            problems[name] = found
        widget.close()

    found = clipped_widgets(window)
    bar = window.tools_bar
    for action in (window.mappings_action, window.record_action, window.settings_action,
                   window.pointer_action):  # fmt: skip
        button = bar.widgetForAction(action)
        if not button.isVisible() or button.geometry().right() > bar.width():
            found.append(f"{action.text()} is not shown in the tool bar")
    if found:
        problems["main"] = found
    editor = MappingEditor(window.ctx, window)
    editor.show()
    pump(0.4)
    screen = editor.screen().availableGeometry()
    for button in (editor.save_button, editor.cancel_button):
        corner = button.mapToGlobal(button.rect().bottomRight())
        if not screen.contains(corner):
            problems.setdefault("mappings", []).append(f"{button.text()} is off the screen")
    look("mappings", editor)
    look("settings", SettingsDialog(window.ctx, window))
    look("recorder", GestureRecorder(window.ctx, lambda: None, window))
    window.open_gallery()
    look("gallery", window.gallery)
    window.open_guide()
    look("guide", window.guide)
    result = {"screen": window.screen().availableGeometry().getRect(),
              "window": window.frameGeometry().getRect(), "problems": problems}  # fmt: skip
    window.quit_app()
    return emit(result, not problems)


CHECKS = {"plot3d": check_plot3d, "e2e": check_e2e, "shots": check_shots,
          "models_missing": check_models_missing, "screen_shots": check_screen_shots,
          "windows_fit": check_windows_fit}  # fmt: skip

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CHECKS:
        print(__doc__)
        sys.exit(2)
    from app.gui.app import make_application

    app = make_application(sys.argv[:1])
    sys.exit(CHECKS[sys.argv[1]](sys.argv[2:]))
