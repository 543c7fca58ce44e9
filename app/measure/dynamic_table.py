"""The readable tables of ``handcue bench --dynamic`` (:mod:`app.measure.dynamic`) and of its
MediaPipe side (:mod:`app.measure.dynamic_mediapipe`): lines of text made from their JSON
reports. Plain Python."""

from __future__ import annotations

from typing import Any

_OURS = (
    ("clip", 22), ("hits", 6), ("missed", 7), ("false", 6), ("latency ms", 18), ("frames", 7),
    ("processed", 10), ("hand", 5), ("lost", 5), ("ids", 4),
)  # fmt: skip
_THEIRS = (("mp hand", 8), ("mp lost", 8), ("mp tracks", 10), ("mp max", 6))


def _row(cells: list[Any], widths: tuple[tuple[str, int], ...]) -> str:
    return " ".join(f"{str(c):{w}s}" for c, (_, w) in zip(cells, widths, strict=True)).rstrip()


def _clip_cells(clip: dict[str, Any]) -> list[Any]:
    track = clip["tracking"]
    latencies = ", ".join(f"{m['latency_ms']:g}" for m in clip["matched"]) or "-"
    return [
        clip["clip"],
        f"{clip['hits']}/{clip['labels']}",
        len(clip["missed"]),
        len(clip["false"]),
        latencies,
        clip["frames"],
        track["frames_processed"],
        track["frames_with_hand"],
        track["lost_frames"],
        track["track_ids"],
    ]


def _mirrored(runs: list[dict[str, Any]]) -> str:
    clips = runs[0]["clips"] if runs else []
    flipped = [c for c in clips if c["mirrored"]]
    by = sorted({c["mirrored_by"] for c in clips})
    return (
        f"{len(flipped)} of {len(clips)} clips mirrored, flipped back (decided by {', '.join(by)})"
    )


def report_lines(report: dict[str, Any]) -> list[str]:
    """The report of :func:`app.measure.dynamic.evaluate` (or of
    :func:`app.measure.dynamic_replay.evaluate_replay`) as a table per variant, each clip a
    row, then what was missed, the false events and the totals."""
    frames = "/".join(str(f) for f in report["tolerance_frames"])
    if "landmarks" in report:  # app.measure.dynamic_replay
        source = (
            f"hands from MediaPipe ({report['landmarks']}) through our gesture engine, "
            f"ids by {report['track_ids_by']}"
        )
    else:
        source = f"{report['model']}, max {report['max_hands']} hands, {report['provider']}"
    lines = [
        f"dynamic gestures in {report['folder']}  ({source}, frame step {report['frame_step']})",
        f"{_mirrored(report['runs'])}; an event counts up to {report['tolerance_ms']:g} ms "
        f"({frames} frames) after its window",
    ]
    for run in report["runs"]:
        lines += ["", f"[{run['variant']}]"] + _run_lines(run)
    return lines


def _run_lines(run: dict[str, Any]) -> list[str]:
    with_mp = all("mediapipe" in c for c in run["clips"])
    widths = _OURS + (_THEIRS if with_mp else ())
    lines = [_row([name for name, _ in widths], widths)]
    for clip in run["clips"]:
        cells = _clip_cells(clip)
        if with_mp:
            mp = clip["mediapipe"]
            cells += [mp["frames_with_hand"], mp["lost_frames"], mp["tracks"], mp["max_hands"]]
        lines.append(_row(cells, widths))
    for clip in run["clips"]:
        lines += [
            f"  missed {clip['clip']}: {m['name']} frames {m['first']}-{m['last']}"
            for m in clip["missed"]
        ]
        lines += [
            f"  false  {clip['clip']}: {d['name']} at frame {d['frame']} ({d['t_ms']:g} ms)"
            for d in clip["false"]
        ]
    total = run["totals"]
    latency = total["median_latency_ms"]
    names = ", ".join(f"{n} {c['hits']}/{c['labels']}" for n, c in total["by_name"].items())
    track = total["tracking"]
    return lines + [
        f"totals: hits {total['hits']}/{total['labels']}, false events {total['false_events']}, "
        f"median latency {'-' if latency is None else f'{latency:g} ms'}; "
        f"hand on {track['frames_with_hand']}/{track['frames_processed']} processed frames, "
        f"lost {track['lost_frames']}",
        f"  by name: {names}",
    ]


def mediapipe_lines(report: dict[str, Any]) -> list[str]:
    """The report of :func:`app.measure.dynamic_mediapipe.evaluate` as a table per variant."""
    widths = (("clip", 22), ("frames", 7), ("processed", 10), ("hand", 5), ("lost", 5),
              ("tracks", 7), ("max hands", 9))  # fmt: skip
    keys = ("frames_processed", "frames_with_hand", "lost_frames", "tracks", "max_hands")
    lines = [
        f"MediaPipe Hands on {report['folder']}  (video mode, max {report['max_hands']} hands, "
        f"model complexity {report['model_complexity']}, frame step {report['frame_step']})"
    ]
    for run in report["runs"]:
        lines += ["", f"[{run['variant']}]", _row([name for name, _ in widths], widths)]
        lines += [
            _row([c["clip"], c["frames"], *(c[k] for k in keys)], widths) for c in run["clips"]
        ]
        t = run["totals"]
        lines.append(
            f"totals: hand on {t['frames_with_hand']}/{t['frames_processed']} processed frames, "
            f"lost {t['lost_frames']}, tracks {t['tracks']}"
        )
    return lines
