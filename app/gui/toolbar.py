"""The main window's tool bars: source, profile and tools. GUI thread only.

``ToolBars`` builds their widgets and actions and adds the bars to the window; the window
connects them to its slots. On a narrow window a bar moves to a row of its own (``fit``)
instead of hiding buttons behind an overflow arrow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QMainWindow, QPushButton, QToolBar

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.pointer_mode import PointerMode


def _tool_bar(window: QMainWindow, title: str, name: str) -> QToolBar:
    bar = QToolBar(title)
    bar.setObjectName(name)
    bar.setMovable(False)
    bar.setIconSize(QSize(18, 18))
    window.addToolBar(bar)
    return bar


class ToolBars:
    """Three tool bars on ``window``:

    - source: the source list (``source_combo``), Start (``start_button``), Loop, Mirror;
    - profile: the profile list and the per-application switching status;
    - tools: Mappings, Record gesture, Settings, pointer mode. Rules is a window action only
      (Tools menu, Ctrl+U): the tool bars must fit an 800 px wide window.
    """

    def __init__(self, window: QMainWindow, ctx: AppContext, pointer_mode: PointerMode) -> None:
        self._window = window
        bar = self.source_bar = _tool_bar(window, "Source", "mainToolbar")
        source_label = QLabel(" &Source ")
        bar.addWidget(source_label)
        self.source_combo = QComboBox()
        self.source_combo.setMinimumWidth(180)
        self.source_combo.setMaximumWidth(380)
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.source_combo.setToolTip("Camera, video file or image folder to track")
        source_label.setBuddy(self.source_combo)
        bar.addWidget(self.source_combo)
        self.start_button = QPushButton("Start")
        self.start_button.setProperty("accent", True)
        self.start_button.setMinimumWidth(90)
        self.start_button.setToolTip("Start or stop tracking the chosen source (F5)")
        bar.addWidget(self.start_button)
        self.loop_box = QCheckBox("&Loop")
        self.loop_box.setToolTip("Play video files over and over")
        self.loop_box.setChecked(True)
        bar.addWidget(self.loop_box)
        self.mirror_box = QCheckBox("M&irror view")
        self.mirror_box.setToolTip(
            "Show the picture like a mirror (remembered separately for webcams and for files). "
            "Only the view: pointer mode has its own setting in Settings -> Pointer"
        )
        bar.addWidget(self.mirror_box)

        bar = self.profile_bar = _tool_bar(window, "Profile", "profileToolbar")
        profile_label = QLabel(" &Profile ")
        bar.addWidget(profile_label)
        self.profile_combo = QComboBox()
        self.profile_combo.setMinimumWidth(130)
        self.profile_combo.setToolTip("Which set of gesture -> action mappings is active")
        profile_label.setBuddy(self.profile_combo)
        bar.addWidget(self.profile_combo)
        from app.gui.rules_page import SwitchingStatus  # per-application profiles

        self.switching_status = SwitchingStatus(ctx)
        bar.addWidget(self.switching_status)

        bar = self.tools_bar = _tool_bar(window, "Tools", "toolsToolbar")
        self.mappings_action = QAction("&Mappings…", window)
        self.mappings_action.setToolTip("Choose what each gesture does")
        bar.addAction(self.mappings_action)
        self.record_action = QAction("&Record gesture…", window)
        self.record_action.setToolTip("Teach HandCue a gesture of your own")
        bar.addAction(self.record_action)
        self.rules_action = QAction("R&ules…", window)
        self.rules_action.setToolTip("Which profile each application gets")
        window.addAction(self.rules_action)
        self.settings_action = QAction("&Settings…", window)
        self.settings_action.setToolTip("Tracking, gestures, safety and window settings")
        bar.addAction(self.settings_action)
        bar.addSeparator()
        self.pointer_action = pointer_mode.make_toggle_action(window)
        bar.addAction(self.pointer_action)
        for action in (self.mappings_action, self.record_action, self.settings_action,
                       self.pointer_action):  # fmt: skip
            button = bar.widgetForAction(action)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches them
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            button.setAccessibleDescription(action.toolTip())
        self._breaks: dict[str, bool] = {"profile": False, "tools": False}
        # A bar's content changes width without a resize of the window (the switching status
        # says "no rule matches this window", a larger font): fit again then too.
        self._refit = _FitWhenLaidOut(self)
        for tool_bar in (self.source_bar, self.profile_bar, self.tools_bar):
            tool_bar.installEventFilter(self._refit)

    def fit(self) -> None:
        """Start a new tool bar row before the profile and/or the tools tool bar when a row
        would be wider than the window (no hidden overflow menu on small or scaled screens)."""
        window = self._window
        width = window.width() - 16
        source, profile, tools = (
            b.sizeHint().width() for b in (self.source_bar, self.profile_bar, self.tools_bar)
        )
        wanted = {"profile": source + profile > width}
        row = profile if wanted["profile"] else source + profile
        wanted["tools"] = row + tools > width
        for name, bar in (("profile", self.profile_bar), ("tools", self.tools_bar)):
            if wanted[name] != self._breaks[name]:
                if wanted[name]:
                    window.insertToolBarBreak(bar)
                else:
                    window.removeToolBarBreak(bar)
                self._breaks[name] = wanted[name]


class _FitWhenLaidOut(QObject):
    """Calls :meth:`ToolBars.fit` once after a burst of layout requests of the bars."""

    def __init__(self, bars: ToolBars) -> None:
        super().__init__(bars._window)
        self._bars = bars
        # A timer owned by the window, not QTimer.singleShot with a Python callable: a
        # pending fit dies with the window instead of running on a deleted one.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(bars.fit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LayoutRequest and not self._timer.isActive():
            self._timer.start()
        return False
