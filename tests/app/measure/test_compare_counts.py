"""``python -m app.measure.compare_counts``: our readers and MediaPipe's over the same labelled
photos (MediaPipe replaced by a stand-in that answers with a synthetic hand), and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.measure import compare_counts
from tests.support.handmodel import SIGNS, make_hand


class FourMediaPipe:
    """Stands in for MediaPipeHands: on every frame, one synthetic hand showing four fingers
    (the thumb folded) filling the middle half of the frame; records the frame sizes."""

    sizes: list[tuple[int, int]] = []
    closed = 0

    def __init__(self, static_mode: bool, max_hands: int, model: str) -> None:
        assert static_mode and max_hands == 2 and model == "full"

    @staticmethod
    def prepare(frame: np.ndarray) -> np.ndarray:
        return frame[:, :, ::-1]

    def hands(self, rgb: np.ndarray) -> list[tuple[np.ndarray, str]]:
        h, w = rgb.shape[:2]
        FourMediaPipe.sizes.append((w, h))
        pts = make_hand(SIGNS["four"]).landmarks.astype(np.float64)
        centre = pts[:, :2].mean(axis=0)
        span = float(np.ptp(pts[:, :2], axis=0).max())
        scale = 0.5 * min(w, h) / span
        out = pts.copy()
        out[:, :2] = (pts[:, :2] - centre) * scale + (w / 2, h / 2)
        out[:, 2] = pts[:, 2] * scale
        return [(out, "Right")]

    def close(self) -> None:
        FourMediaPipe.closed += 1


def _folder(tmp_path: Path) -> Path:
    """Plain grey 64x64 photos (no hand for our tracker): two labelled 4, one labelled 5."""
    for label, names in {"4": ["a", "b"], "5": ["c"]}.items():
        (tmp_path / label).mkdir()
        for n in names:
            cv2.imwrite(str(tmp_path / label / f"{n}.png"), np.full((64, 64, 3), 128, np.uint8))
    return tmp_path


def test_every_reader_reads_the_same_photos(tmp_path, capsys, monkeypatch):
    import app.measure.mediapipe_hands

    monkeypatch.setattr(app.measure.mediapipe_hands, "MediaPipeHands", FourMediaPipe)
    FourMediaPipe.sizes, FourMediaPipe.closed = [], 0
    folder = _folder(tmp_path)
    assert compare_counts.main([str(folder), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    readers = {r["reader"]: r for r in out["readers"]}
    assert list(readers) == list(compare_counts.READERS)
    assert out["counting"] == "chinese"
    for name in ("ours", "ours-one-view"):  # no hand on a grey photo
        assert readers[name]["photos"] == 3 and readers[name]["found"] == 0
    for name in ("mediapipe", "mediapipe-raw"):
        mp = readers[name]
        assert mp["found"] == 3
        # Its hand, mapped back into the 64x64 photo, counts 4 on every photo.
        assert mp["matrix"] == {"4": {"4": 2}, "5": {"4": 1}}
        assert mp["counted_right_pct"] == pytest.approx(66.7)
        assert mp["weakest_class"] == 5 and mp["classes_under_90"] == [5]
    # The first pass saw the photos enlarged as ours are (64 -> 256, then a 256 px border on
    # every side), the second as they are; each pass closed its graph.
    assert FourMediaPipe.sizes == [(768, 768)] * 3 + [(64, 64)] * 3
    assert FourMediaPipe.closed == 2


def test_text_output_has_a_table_and_a_line_per_reader(tmp_path, capsys, monkeypatch):
    import app.measure.mediapipe_hands

    monkeypatch.setattr(app.measure.mediapipe_hands, "MediaPipeHands", FourMediaPipe)
    assert compare_counts.main([str(_folder(tmp_path)), "--counting", "american"]) == 0
    text = capsys.readouterr().out
    for name in compare_counts.READERS:
        assert f"== {name}\n" in text
    line = next(x for x in text.splitlines() if x.startswith("mediapipe "))
    assert "found 3/3" in line and "counted right 66.7%" in line and "s/photo" in line


def test_mediapipe_missing_is_a_clear_error(tmp_path, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_mediapipe(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "mediapipe":
            raise ImportError("No module named 'mediapipe'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mediapipe)
    assert compare_counts.main([str(_folder(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "pip install -e '.[compare]'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args,message",
    [
        (["missing-folder"], "not a folder"),
        (["EMPTY"], "no numbered sub-folders"),
        (["FOLDER", "--upscale", "4"], "at least 16"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, capsys, args, message):
    for sub in ("empty", "photos"):
        (tmp_path / sub).mkdir()
    subs = {
        "missing-folder": str(tmp_path / "nope"),
        "EMPTY": str(tmp_path / "empty"),
        "FOLDER": str(_folder(tmp_path / "photos")),
    }
    argv = [subs.get(a, a) for a in args]
    assert compare_counts.main(argv) == 2
    assert message in capsys.readouterr().err


def test_mediapipe_start_up_notes_are_dropped_and_other_native_lines_kept(capfd):
    """What native code writes straight to file descriptor 2 while MediaPipe starts is held
    back: its start-up notes are dropped, any other line (an error, say) still reaches stderr,
    and stderr works as before afterwards."""
    import os

    from app.measure.mediapipe_hands import quiet_native_start_up

    with quiet_native_start_up():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(
            2,
            b"W0000 00:00:1796563868.670954 9626 inference_feedback_manager.cc:114] "
            b"Feedback manager requires a model with a single signature inference.\n",
        )
        os.write(2, b"E0000 calculator_graph.cc:887] a real failure\n")
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert err == "E0000 calculator_graph.cc:887] a real failure\nafter\n"
