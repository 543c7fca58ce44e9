"""3D view of each hand's world keypoints (pyqtgraph OpenGL): bones as lines in the hand's colour,
joints as dots in their finger's colour, a floor grid; drag to rotate, wheel to zoom."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import MutableMapping, Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QVector3D
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.gui.video_view import HAND_COLOURS
from pipeline.skeleton import BONES, FINGER_CHAINS, FINGER_COLOURS, NUM_LANDMARKS
from pipeline.types import Hand

log = logging.getLogger(__name__)

MAX_PLOTTED_HANDS = 4
#: Centimetres between hands placed side by side (world landmarks are each centred on the hand).
HAND_SPREAD_CM = 30.0
# Close enough that one hand fills about half the view; two hands at the frame edges still fit.
DEFAULT_CAMERA = {"distance": 28.0, "elevation": 18.0, "azimuth": -90.0}

_BONE_INDEX = np.array([(a, b) for a, b, _ in BONES], dtype=np.intp).reshape(-1)


def _joint_colours() -> np.ndarray:
    """(21, 4) RGBA 0..1: each joint in its finger's colour (wrist white)."""
    colours = np.ones((NUM_LANDMARKS, 4), dtype=np.float32)
    for finger, chain in FINGER_CHAINS.items():
        r, g, b = FINGER_COLOURS[finger]
        for idx in chain[1:]:
            colours[idx, :3] = (r / 255.0, g / 255.0, b / 255.0)
    return colours


def world_to_gl(world: np.ndarray, *, mirrored: bool, centre_x_norm: float = 0.5) -> np.ndarray:
    """World landmarks (21, 3) in metres (x right, y down, z away from the camera) -> (21, 3)
    plot coordinates in centimetres with z up: X = x (negated when mirrored), Y = z (depth),
    Z = -y. Each hand is shifted sideways by where it is in the frame (``centre_x_norm``: 0 left
    edge .. 1 right edge of the unmirrored frame) so two hands do not overlap."""
    w = np.asarray(world, dtype=np.float32) * 100.0
    x = -w[:, 0] if mirrored else w[:, 0]
    offset = (centre_x_norm - 0.5) * HAND_SPREAD_CM
    if mirrored:
        offset = -offset
    return np.stack([x + offset, w[:, 2], -w[:, 1]], axis=1)


def match_pyopengl_to_qt(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Tell PyOpenGL which GL platform Qt draws with, before PyOpenGL is imported; returns the
    one set (None when left alone).

    PyOpenGL picks GLX or EGL from the session: on a Wayland session it takes EGL. Qt on
    XWayland (the ``xcb`` platform: ``QT_QPA_PLATFORM=xcb``, or no Wayland plugin) makes GLX
    contexts by default, so PyOpenGL found no current context and every item of the 3D view
    failed to draw. A ``PYOPENGL_PLATFORM`` the user set is kept."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or env.get("PYOPENGL_PLATFORM"):
        return None
    qt = QGuiApplication.platformName()
    if qt == "xcb":
        chosen = "egl" if env.get("QT_XCB_GL_INTEGRATION") == "xcb_egl" else "glx"
    elif qt.startswith("wayland"):
        chosen = "egl"
    else:
        return None
    env["PYOPENGL_PLATFORM"] = chosen
    return chosen


def gl_available() -> bool:
    """False where Qt cannot create an OpenGL context: the ``offscreen`` and ``minimal``
    platforms, and displays whose GL does not work (a Wayland session without EGL for its
    clients, a remote or virtual display). There the 3D view's widget would paint nothing
    and log "Failed to create context" on every frame."""
    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return False
    return _gl_context_works()


@functools.cache  # once a process: making a context costs ~40 ms of CPU
def _gl_context_works() -> bool:
    from PySide6.QtGui import QOffscreenSurface, QOpenGLContext

    context = QOpenGLContext()
    works = context.create()
    if works:
        surface = QOffscreenSurface()
        surface.create()
        works = surface.isValid() and context.makeCurrent(surface)
        if works:
            context.doneCurrent()
        surface.destroy()
    if not works:
        log.warning("no OpenGL context on this display: the 3D view is off")
    return works


class HandPlot3D(QWidget):
    """The 3D plot panel with its reset button. ``set_hands`` is called from the GUI timer.

    ``deferred``: build the OpenGL view only when :meth:`build_view` is called (importing
    pyqtgraph and OpenGL and creating the GL context cost about a second of CPU, half of the
    app's start-up); until then a "starting" note holds its place. GUI thread only."""

    def __init__(
        self, parent: QWidget | None = None, *, use_gl: bool | None = None, deferred: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handPlot3D")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        header = QHBoxLayout()
        title = QLabel("3D HAND VIEW")
        title.setObjectName("sectionTitle")
        header.addWidget(title)
        header.addStretch(1)
        hint = QLabel("drag: rotate · wheel: zoom", self)
        hint.setObjectName("hint")
        self.reset_button = QPushButton("Reset view")
        self.reset_button.setToolTip("Put the camera back to the front view")
        self.reset_button.clicked.connect(self.reset_view)
        header.addWidget(self.reset_button)
        layout.addLayout(header)
        self._layout = layout
        self._hint = hint

        self.view = None
        self._lines: list = []
        self._dots: list = []
        self._plotted = 0  # hands on the plot now
        self._use_gl = use_gl
        self._placeholder: QLabel | None = None
        self.built = False  # build_view() ran (the view, or the "unavailable" note, is in place)
        self._gl_anchor: QWidget | None = None
        if deferred and use_gl is not False:
            self._set_placeholder("3D view starting…")
            if gl_available():
                # An OpenGL child from the start, hidden and never drawn: the window is made
                # for OpenGL when first shown. Added later, the first one makes Qt recreate the
                # top-level window, which the window manager then maps and focuses again (the
                # first-run guide lost the focus to it about 2 s after start).
                from PySide6.QtOpenGLWidgets import QOpenGLWidget

                self._gl_anchor = QOpenGLWidget(self)
                self._gl_anchor.hide()
        else:
            self.build_view()

    def _set_placeholder(self, text: str) -> None:
        if self._placeholder is None:
            placeholder = QLabel()
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setWordWrap(True)  # a narrow side panel must not cut it off
            placeholder.setObjectName("hint")
            placeholder.setMinimumHeight(120)
            self._layout.addWidget(placeholder, 1)
            self._placeholder = placeholder
        self._placeholder.setText(text)
        self.reset_button.setEnabled(False)
        self._hint.hide()

    def build_view(self) -> None:
        """Create the OpenGL view now (idempotent); without OpenGL, say so in its place."""
        if self.built:
            return
        self.built = True
        use_gl = gl_available() if self._use_gl is None else self._use_gl
        if use_gl:
            try:
                self._build_gl(self._layout)
            except Exception as exc:  # missing PyOpenGL or GL libraries: keep the app usable
                log.warning("3D view disabled: %s", exc)
                self.view = None
        if self._gl_anchor is not None:
            self._gl_anchor.deleteLater()  # the view (or nothing) takes its place
            self._gl_anchor = None
        if self.view is None:
            self._set_placeholder("3D view unavailable (no OpenGL on this display)")
        elif self._placeholder is not None:
            self._layout.removeWidget(self._placeholder)
            self._placeholder.deleteLater()
            self._placeholder = None
            self.reset_button.setEnabled(True)
            self._hint.show()

    def _build_gl(self, layout: QVBoxLayout) -> None:
        if "OpenGL" not in sys.modules:
            match_pyopengl_to_qt()
        import pyqtgraph.opengl as gl

        view = gl.GLViewWidget()
        view.setBackgroundColor((15, 18, 22))
        view.setMinimumHeight(160)
        grid = gl.GLGridItem()
        grid.setSize(60, 40)
        grid.setSpacing(5, 5)
        grid.setColor((90, 100, 115, 160))
        grid.translate(0, 0, -10)
        view.addItem(grid)
        axis = gl.GLAxisItem()
        axis.setSize(4, 4, 4)
        axis.translate(0, 0, -10)
        view.addItem(axis)
        joint_colours = _joint_colours()
        for _ in range(MAX_PLOTTED_HANDS):
            line = gl.GLLinePlotItem(
                pos=np.zeros((len(_BONE_INDEX), 3), np.float32), mode="lines", width=3.0,
                antialias=True, color=(1.0, 1.0, 1.0, 1.0),
            )  # fmt: skip
            dots = gl.GLScatterPlotItem(
                pos=np.zeros((NUM_LANDMARKS, 3), np.float32), color=joint_colours, size=9.0,
                pxMode=True,
            )  # fmt: skip
            for item in (line, dots):
                item.setVisible(False)
                view.addItem(item)
            self._lines.append(line)
            self._dots.append(dots)
        layout.addWidget(view, 1)
        layout.addWidget(self._hint, 0, Qt.AlignmentFlag.AlignRight)
        view.setToolTip("Drag to rotate, scroll to zoom, Reset view to go back")
        self.view = view
        self.reset_view()

    def reset_view(self) -> None:
        """Front view, default zoom."""
        if self.view is None:
            return
        self.view.setCameraPosition(pos=QVector3D(0, 0, 0), **DEFAULT_CAMERA)

    def camera(self) -> dict[str, float]:
        """Current distance / elevation / azimuth (for tests and for saving the view)."""
        if self.view is None:
            return dict(DEFAULT_CAMERA)
        return {k: float(self.view.opts[k]) for k in DEFAULT_CAMERA}

    def set_hands(self, hands: Sequence[Hand], frame_width: int, *, mirrored: bool) -> None:
        """Plot up to ``MAX_PLOTTED_HANDS`` hands; ``frame_width`` in pixels places them."""
        if self.view is None:
            return
        if not hands and not self._plotted:
            return  # nothing shown, nothing to show: no repaint (a software-GL frame costs)
        self._plotted = min(len(hands), MAX_PLOTTED_HANDS)
        for i in range(MAX_PLOTTED_HANDS):
            line, dots = self._lines[i], self._dots[i]
            if i >= len(hands):
                line.setVisible(False)
                dots.setVisible(False)
                continue
            hand = hands[i]
            cx = float(np.mean(hand.landmarks[:, 0])) / max(frame_width, 1)
            pts = world_to_gl(hand.world_landmarks, mirrored=mirrored, centre_x_norm=cx)
            r, g, b = HAND_COLOURS.get(hand.handedness, (200, 200, 200))
            line.setData(pos=pts[_BONE_INDEX], color=(r / 255.0, g / 255.0, b / 255.0, 1.0))
            dots.setData(pos=pts)
            line.setVisible(True)
            dots.setVisible(True)
