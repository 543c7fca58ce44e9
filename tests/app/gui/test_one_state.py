"""One state, one message: when a source cannot be opened or the models are missing, the
banner, the video area and the status line all say nothing is tracked and why; the models can
be installed from the banner, with its progress shown."""

from __future__ import annotations

import sys

import app.gui.models_install as models_install


def test_a_missing_source_is_said_the_same_everywhere(make_window, qtbot):
    window = make_window()
    window.show()
    window._on_session_failed("/tmp/no_such_video.mp4: no such file or folder")
    assert window.banner.isVisible() and "no such file" in window.banner.label.text()
    assert window.video_stack.currentWidget() is window.empty_state
    assert window.empty_state.title.text() == "Nothing to track"
    assert "no such file" in window.empty_state.text.text()
    assert window.state_label.text().startswith("Stopped: ")
    assert "Ready to play" not in window.empty_state.title.text()


def test_missing_models_offer_an_install_with_progress(make_window, qtbot, monkeypatch):
    script = "import sys; print('downloading the wheel'); print('converting'); sys.exit(0)"
    monkeypatch.setattr(models_install, "COMMAND", [sys.executable, "-c", script])
    window = make_window()
    window.show()
    loaded = []
    monkeypatch.setattr(window, "check_models", lambda: loaded.append(True))
    window._on_session_failed(
        "HandCue's hand models are not installed (palm_detection_full.onnx is missing).\n"
        "Install them with:  handcue models install"
    )
    assert window.empty_state.title.text() == "The hand models are not installed"
    assert window.state_label.text() == "Stopped: the hand models are not installed"
    buttons = {b.text(): b for b in window.banner.action_buttons}
    assert "Install models" in buttons
    seen = []
    buttons["Install models"].click()
    qtbot.waitUntil(lambda: bool(loaded), timeout=10000)  # loaded after the install
    seen.append(window.banner.label.text())
    assert "installed" in seen[-1]


def test_a_failed_install_says_why_and_offers_it_again(make_window, qtbot, monkeypatch):
    script = "import sys; print('no network: cannot download'); sys.exit(3)"
    monkeypatch.setattr(models_install, "COMMAND", [sys.executable, "-c", script])
    window = make_window()
    window.install_models()
    qtbot.waitUntil(lambda: "could not be installed" in window.banner.label.text(), timeout=10000)
    assert "no network" in window.banner.label.text()
    assert [b.text() for b in window.banner.action_buttons] == ["Install models"]
