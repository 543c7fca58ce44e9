"""The first-run guide and the gesture gallery.

The guide (opened once by itself, then from Help > Getting started, F1) says how to arm HandCue,
shows the arm gesture and lists what each gesture does in the active profile. The gallery (Help >
Gesture gallery) shows every gesture HandCue knows with a picture and its id.

Pictures are drawn by our own skeleton renderer (:func:`app.gui.skeleton_icons.skeleton_drawing`)
from real hand landmarks: one MediaPipe pose per built-in hand sign, picked from photos by
``tests/app/gui/make_gesture_poses.py`` and shipped as points in
``resources/gestures/poses.json`` (no photo is shipped); movements are those poses with arrows
(:mod:`app.gui.motion_pictures`); recorded gestures are drawn from their first saved sample.
GUI thread only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import resources
from app.desktop.input_sink import wayland_hotkey_advice
from app.gui.action_words import action_words, key_words
from app.gui.context import AppContext
from app.gui.motion_pictures import motion_picture
from app.gui.screen_fit import fit_to_screen, scroll_body
from app.gui.skeleton_icons import sample_icon, skeleton_drawing
from app.gui.video_view import gesture_title
from pipeline.gestures import GESTURES_IN_ORDER
from pipeline.settings import is_dynamic_gesture

log = logging.getLogger(__name__)

PICTURE = 128

#: What each built-in gesture is, in words (the picture shows one real example).
DESCRIPTIONS: dict[str, str] = {
    "fist": "All fingers curled in",
    "open_palm": "All five fingers straight",
    "pointing_up": "Index finger up, the others curled",
    "victory": "Index and middle finger up (a V)",
    "three": "Three fingers up",
    "four": "Four fingers up, thumb folded",
    "thumb_up": "Fist with the thumb pointing up",
    "thumb_down": "Fist with the thumb pointing down",
    "ok": "Thumb and index tips touching, three fingers up",
    "rock": "Index and little finger up, thumb folded",
    "i_love_you": "Thumb, index and little finger out",
    "call": "Thumb and little finger out",
    "swipe_left": "Move your hand quickly to your left (flat, open, or pointing)",
    "swipe_right": "Move your hand quickly to your right (flat, open, or pointing)",
    "swipe_up": "Move your hand quickly up (flat, open, or pointing)",
    "swipe_down": "Move your hand quickly down (flat, open, or pointing)",
    "drag": "Close your hand to grab, move it, then open it to drop (press and release)",
    "zoom_in": "Spread your thumb and index finger apart (or move two hands apart)",
    "zoom_out": "Pinch your thumb and index finger together (or move two hands together)",
    "tap": "Flick your index finger down and back once",
    "double_tap": "Tap twice quickly with your index finger",
    "circle_cw": "Circle your index fingertip clockwise (like turning a knob up)",
    "circle_ccw": "Circle your index fingertip counter-clockwise (like turning a knob down)",
}


def load_poses() -> dict[str, np.ndarray]:
    """Gesture id -> (21, 2) image points of a real example (unit box, y down); empty (logged)
    when the resource is missing or broken."""
    try:
        data = json.loads(resources.resource_path("gestures", "poses.json").read_text("utf-8"))
        return {g: np.asarray(p["points"], np.float64).reshape(21, 2)
                for g, p in data["poses"].items()}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("gesture pictures unavailable: %s", exc)
        return {}


def gesture_picture(gesture: str, poses: dict[str, np.ndarray], ctx: AppContext | None = None,
                    size: int = PICTURE) -> QIcon | None:  # fmt: skip
    """A drawing of ``gesture``: its real example pose, a recorded gesture's first sample, or
    for a movement (swipe, drag, zoom, tap, circle) a pose with the movement drawn on it as
    arrows (:mod:`app.gui.motion_pictures`). None when there is nothing to draw."""
    if gesture in poses:
        return skeleton_drawing(poses[gesture], size)
    if is_dynamic_gesture(gesture):
        return motion_picture(gesture, poses, size)
    if gesture.startswith(("count_", "total_")):
        return _number_picture(gesture, size)
    store = getattr(ctx, "templates", None) if ctx is not None else None
    if store is not None and gesture in store.names():
        return sample_icon(store.samples(gesture)[0], size)
    return None


def _number_picture(gesture: str, size: int) -> QIcon:
    """Numbers are shapes that differ by counting scheme, so their picture is the number: one
    hand's count, or the total of both hands."""
    kind, _, number = gesture.partition("_")
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QColor(255, 209, 102))
    font = p.font()
    font.setPixelSize(int(size * 0.5))
    font.setBold(True)
    p.setFont(font)
    p.drawText(pix.rect().adjusted(0, 0, 0, -int(size * 0.2)), Qt.AlignmentFlag.AlignCenter, number)
    font.setPixelSize(max(9, int(size * 0.12)))
    font.setBold(False)
    p.setFont(font)
    caption = "one hand" if kind == "count" else "both hands"
    p.drawText(pix.rect().adjusted(0, int(size * 0.6), 0, 0), Qt.AlignmentFlag.AlignCenter, caption)
    p.end()
    return QIcon(pix)


def _picture_label(icon: QIcon | None, gesture: str, size: int = PICTURE) -> QLabel:
    label = QLabel()
    label.setFixedSize(size, size)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if icon is not None:
        label.setPixmap(icon.pixmap(size, size))
    else:
        label.setText("(no picture)")
    label.setAccessibleName(f"Picture of {gesture_title(gesture)}")
    return label


class GestureCard(QFrame):
    """One gesture: picture, name, id, description and what it does in the active profile."""

    def __init__(self, gesture: str, icon: QIcon | None, does: str, recorded: bool = False,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.gesture = gesture
        self.setObjectName("gestureCard")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader reads the cards in turn
        row = QHBoxLayout(self)
        row.addWidget(_picture_label(icon, gesture))
        text = QVBoxLayout()
        title = QLabel(gesture_title(gesture))
        title.setObjectName("cardTitle")
        ident = QLabel(f"id: {gesture}")
        ident.setObjectName("hint")
        ident.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ident.setAccessibleName(f"Gesture id {gesture}")  # selectable, so it can take focus
        about = describe(gesture, recorded=recorded)
        desc = QLabel(about)
        desc.setWordWrap(True)
        self.does_label = QLabel(f"Does: {does}" if does else "Not mapped in this profile")
        self.does_label.setObjectName("hint")
        self.does_label.setWordWrap(True)
        for w in (title, ident, desc, self.does_label):
            text.addWidget(w)
        text.addStretch(1)
        row.addLayout(text, 1)
        self.setAccessibleName(f"{gesture_title(gesture)}, id {gesture}")
        self.setAccessibleDescription(f"{about}. {self.does_label.text()}")
        self.setMinimumWidth(300)


def describe(gesture: str, *, recorded: bool = False) -> str:
    """One sentence saying what ``gesture`` is: the built-in descriptions, the numbers (whose
    hand shapes depend on the counting scheme), or a recorded gesture."""
    if gesture in DESCRIPTIONS:
        return DESCRIPTIONS[gesture]
    kind, _, number = gesture.partition("_")
    if kind == "count" and number.isdigit():
        return (
            f"One hand shows {number}, in the counting style chosen in Settings "
            "(American, European or Chinese)"
        )
    if kind == "total" and number.isdigit():
        return (
            f"Both hands together show {number} (e.g. 5 on one hand and {int(number) - 5} "
            "on the other)"
            if int(number) > 5
            else f"The hands in view show {number} in all"
        )
    return "Your own recorded gesture" if recorded else ""


def profile_actions(ctx: AppContext) -> dict[str, str]:
    """Gesture id -> what it does in the active profile, in words (arm gesture included)."""
    out: dict[str, str] = {}
    for binding in ctx.engine.mappings:
        out.setdefault(binding.gesture, action_words(binding.action) or "nothing")
    arm = ctx.config.actions.arm_gesture
    if arm != "none":
        out[arm] = "arm / disarm HandCue (hold it)"
    return out


class GalleryDialog(QDialog):
    """Every gesture HandCue knows (built-in, then recorded), as cards in a grid."""

    COLUMNS = 2

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Gesture gallery")
        self.setAccessibleName("Gesture gallery")
        poses = load_poses()
        does = profile_actions(ctx)
        outer = QVBoxLayout(self)
        intro = QLabel(
            f"Every gesture HandCue recognises, with its id (for the settings file and "
            f"“handcue run --map”) and what it does in the profile “{ctx.active_profile()}”. "
            "Pictures are drawn from real hands; arrows show how a movement goes."
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        outer.addWidget(intro)
        body = QWidget()
        grid = QGridLayout(body)
        self.cards: list[GestureCard] = []
        builtin = [g for g in GESTURES_IN_ORDER if g != "none"]
        recorded = [g for g in ctx.known_gestures() if g not in builtin]
        for gesture in builtin + recorded:
            card = GestureCard(gesture, gesture_picture(gesture, poses, ctx), does.get(gesture, ""),
                               recorded=gesture in recorded)  # fmt: skip
            n = len(self.cards)
            grid.addWidget(card, n // self.COLUMNS, n % self.COLUMNS)
            self.cards.append(card)
        outer.addWidget(scroll_body(body), 1)
        close = QPushButton("Close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        outer.addLayout(row)
        fit_to_screen(self, 820, 760)


class GuideDialog(QDialog):
    """Getting started: arming, the arm gesture, pausing, and the active profile's mappings."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 on_gallery: Callable[[], None] | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Getting started with HandCue")
        self.setAccessibleName("Getting started")
        actions = ctx.config.actions
        poses = load_poses()
        outer = QVBoxLayout(self)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)

        title = QLabel("HandCue turns your hand gestures into keys and clicks")
        title.setObjectName("emptyTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        steps = QLabel(
            "1. Choose a camera (or a video) under Source and press Start (F5).\n"
            "2. HandCue starts DISARMED: it shows the gestures it sees but sends nothing.\n"
            "3. Arm it when you are ready; disarm it the same way."
        )
        steps.setWordWrap(True)
        layout.addWidget(steps)

        arm = QHBoxLayout()
        gesture = actions.arm_gesture
        if gesture != "none":
            arm.addWidget(_picture_label(gesture_picture(gesture, poses, ctx), gesture))
            how = (
                f"To arm or disarm, hold {gesture_title(gesture)} ({gesture}) for "
                f"{actions.arm_hold_ms / 1000:g} s, or press the big button, or Ctrl+Shift+A."
            )
        else:
            how = "To arm or disarm, press the big button or Ctrl+Shift+A (no arm gesture set)."
        hotkey = actions.pause_hotkey
        pause = (
            f" To pause everything from any application press "
            f"{'+'.join(key_words(k) for k in hotkey.split('+'))}."
            if hotkey
            else ""
        )
        wayland = wayland_hotkey_advice()
        if wayland:  # the hotkey is not "from any application" there: say what is
            pause = " " + wayland
        self.arm_text = QLabel(how + pause)
        self.arm_text.setWordWrap(True)
        arm.addWidget(self.arm_text, 1)
        layout.addLayout(arm)

        profile = ctx.active_profile()
        heading = QLabel(f"WHAT YOUR GESTURES DO (PROFILE “{profile}”)")
        heading.setObjectName("sectionTitle")
        layout.addWidget(heading)
        grid = QGridLayout()
        self.mapping_rows: list[str] = []
        for n, binding in enumerate(ctx.engine.mappings):
            icon = gesture_picture(binding.gesture, poses, ctx, size=64)
            grid.addWidget(_picture_label(icon, binding.gesture, 64), n, 0)
            what = action_words(binding.action) or "nothing"
            text = f"{gesture_title(binding.gesture)} ({binding.gesture}) → {what}"
            label = QLabel(text)
            label.setWordWrap(True)
            grid.addWidget(label, n, 1)
            self.mapping_rows.append(text)
        if not self.mapping_rows:
            grid.addWidget(QLabel("This profile has no mappings yet: add some in Mappings."), 0, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        more = QLabel(
            "Change them in Tools > Mappings (Ctrl+M); see every gesture in Help > Gesture "
            "gallery (Ctrl+G). This guide is in Help > Getting started (F1)."
        )
        more.setWordWrap(True)
        more.setObjectName("hint")
        layout.addWidget(more)
        layout.addStretch(1)
        outer.addWidget(scroll_body(body), 1)

        row = QHBoxLayout()
        self.gallery_button = QPushButton("Gesture &gallery…")
        self.gallery_button.setEnabled(on_gallery is not None)
        if on_gallery is not None:
            self.gallery_button.clicked.connect(on_gallery)
        self.close_button = QPushButton("&Got it")
        self.close_button.setDefault(True)
        self.close_button.setProperty("accent", True)
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.gallery_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        outer.addLayout(row)
        fit_to_screen(self, 660, 700)
