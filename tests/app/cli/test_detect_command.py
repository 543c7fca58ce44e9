"""``handcue detect`` output contract and bad inputs: clear messages, exit 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import main


def run_detect(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    code = main(["detect", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, [json.loads(line) for line in out.splitlines()], err


def test_contract_on_real_photo(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = str(shared_data / "photos" / "two_hands_no_gesture.jpg")
    code, lines, _ = run_detect(capsys, "--max-hands", "2", photo)
    assert code == 0 and len(lines) == 1
    rec = lines[0]
    assert rec["image"] == photo
    assert set(rec) == {"image", "width", "height", "ms", "hands"}
    assert len(rec["hands"]) == 2
    for hand in rec["hands"]:
        assert hand["handedness"] in ("Left", "Right")
        assert 0.5 <= hand["score"] <= 1 and 0.5 <= hand["handedness_score"] <= 1
        assert isinstance(hand["track_id"], int)
        assert np.asarray(hand["landmarks"]).shape == (21, 3)
        assert np.asarray(hand["world_landmarks"]).shape == (21, 3)
        for key in ("gesture", "gesture_score", "count", "total"):
            assert key in hand
    assert {h["handedness"] for h in rec["hands"]} == {"Left", "Right"}


def test_max_hands_limits_output(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run_detect(
        capsys, "--max-hands", "1", str(shared_data / "photos" / "two_hands_no_gesture.jpg")
    )
    assert code == 0 and len(lines[0]["hands"]) == 1


@pytest.fixture()
def bad_folder(tmp_path: Path, shared_data: Path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    src = shared_data / "photos" / "thumbs_up.jpg"
    photo = cv2.imread(str(src))
    (folder / "a_good.jpg").write_bytes(src.read_bytes())
    (folder / "b_empty.jpg").write_bytes(b"")
    data = src.read_bytes()
    (folder / "c_truncated.jpg").write_bytes(data[: len(data) // 3])
    (folder / "d_not_image.png").write_text("hello, I am text")
    gray = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    cv2.imwrite(str(folder / "e_gray.png"), gray)
    cv2.imwrite(str(folder / "f_rgba.png"), cv2.cvtColor(photo, cv2.COLOR_BGR2BGRA))
    cv2.imwrite(str(folder / "g_16bit.png"), photo.astype(np.uint16) * 257)
    (folder / "notes.txt").write_text("not an image, skipped")
    return folder


def test_mixed_folder(bad_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = run_detect(capsys, str(bad_folder))
    by_name = {Path(rec["image"]).name: rec for rec in lines}
    assert code == 2  # some files failed
    assert "notes.txt" not in by_name and "non-image" in err
    assert by_name["b_empty.jpg"]["error"] == "empty file"
    assert "decode" in by_name["d_not_image.png"]["error"]
    assert len(by_name["a_good.jpg"]["hands"]) >= 1
    for name in ("e_gray.png", "f_rgba.png", "g_16bit.png"):
        assert len(by_name[name]["hands"]) >= 1, name
    # A truncated JPEG either decodes partially or reports an error, never a crash.
    assert "hands" in by_name["c_truncated.jpg"] or "error" in by_name["c_truncated.jpg"]


def test_missing_path_and_folder_as_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, _ = run_detect(capsys, str(tmp_path / "nope.jpg"))
    assert code == 2
    assert lines == [{"image": str(tmp_path / "nope.jpg"), "error": "no such file"}]


def test_huge_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.jpg"
    cv2.imwrite(str(big), np.full((6000, 8000, 3), 90, np.uint8))
    code, lines, _ = run_detect(capsys, str(big))
    assert code == 0
    assert (lines[0]["width"], lines[0]["height"]) == (8000, 6000)
    assert lines[0]["hands"] == []


def test_bad_option_values(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["detect", "--max-hands", "0", str(tmp_path)]) == 2
    assert "max-hands" in capsys.readouterr().err


@pytest.mark.parametrize(
    "photo,gesture,count",
    [
        ("thumbs_up.jpg", "thumb_up", None),
        ("pointing_up.jpg", "pointing_up", 1),
        ("victory.jpg", "victory", 2),
    ],
)
def test_gesture_fields(
    shared_data: Path, capsys: pytest.CaptureFixture[str], photo: str, gesture: str, count
) -> None:  # type: ignore[no-untyped-def]
    code, lines, _ = run_detect(capsys, str(shared_data / "photos" / photo))
    hands = lines[0]["hands"]
    assert code == 0
    assert gesture in [h["gesture"] for h in hands]
    shown = next(h for h in hands if h["gesture"] == gesture)
    assert shown["count"] == count and 0 < shown["gesture_score"] <= 1


def test_counting_scheme_option(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Index finger alone: 1 in American counting, not a number in European (thumb first).
    photo = str(shared_data / "photos" / "pointing_up.jpg")
    _, american, _ = run_detect(capsys, "--counting", "american", photo)
    _, european, _ = run_detect(capsys, "--counting", "european", photo)
    assert american[0]["hands"][0]["count"] == 1
    assert european[0]["hands"][0]["count"] != 1


def test_two_hand_total(
    shared_data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two pointing hands in one picture (the photo beside its mirror image): each hand counts
    1, and the frame's total 2 stands beside each count."""
    photo = cv2.imread(str(shared_data / "photos" / "pointing_up.jpg"))
    both = tmp_path / "two_ones.png"
    cv2.imwrite(str(both), np.hstack([photo, cv2.flip(photo, 1)]))
    code, lines, _ = run_detect(capsys, str(both))
    hands = lines[0]["hands"]
    assert code == 0 and [h["count"] for h in hands] == [1, 1]
    assert [h["total"] for h in hands] == [2, 2]
    # One hand alone: the total is its own count.
    _, single, _ = run_detect(capsys, str(shared_data / "photos" / "pointing_up.jpg"))
    assert [h["total"] for h in single[0]["hands"]] == [1]
