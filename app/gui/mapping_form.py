"""The mapping editor's "Selected mapping" box: gesture, action type and its parameters (a key
capture field, text, mouse button, scroll, media key), trigger, hand, hold, cooldown and the
"Try it" button. It shows one :class:`~app.gui.mapping_model.MappingDraft` and reports the
user's edits; the dialog stores them in its model. GUI thread only."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QWidget,
)

from app.gui.context import AppContext
from app.gui.key_capture import KeyCaptureEdit
from app.gui.mapping_model import MappingDraft
from app.gui.video_view import gesture_title
from pipeline.actions.spec import (
    MAX_SCROLL_STEPS,
    MEDIA_KEYS,
    MOUSE_BUTTONS,
    SCROLL_DIRECTIONS,
    parse_action,
)
from pipeline.errors import HandCueError
from pipeline.settings import is_dynamic_gesture, is_one_shot
from pipeline.settings.schema import MAX_COOLDOWN_MS, MAX_HOLD_MS

log = logging.getLogger(__name__)

ACTION_TYPES: tuple[tuple[str, str], ...] = (
    ("keys", "Press a key or shortcut"),
    ("type", "Type text"),
    ("click", "Mouse click"),
    ("dclick", "Mouse double click"),
    ("scroll", "Scroll"),
    ("media", "Media key"),
    ("none", "Do nothing"),
)
TRIGGERS: tuple[tuple[str, str], ...] = (
    ("on_start", "When the gesture starts"),
    ("while_held", "Repeatedly while held"),
    ("on_end", "When the gesture ends"),
    ("hold", "Hold the key down while held"),
)
HANDS: tuple[tuple[str, str], ...] = (("any", "Either hand"), ("right", "Right hand"),
                                      ("left", "Left hand"))  # fmt: skip
TRY_COUNTDOWN_S = 3
# Triggers that need a gesture with a duration: a one-shot movement (all but drag) refuses them.
HELD_TRIGGERS = ("while_held", "hold")
MOTION_HINT = (
    "A movement happens at one moment: hold time does not apply; choose “When the gesture "
    "starts” or “When the gesture ends”."
)
DRAG_HINT = (
    "A drag starts when you close your hand and ends when you open it (hold time does not "
    "apply): “Hold the key down while held” with a mouse click drags."
)


def motion_hint(gesture: str | None) -> str:
    """What the form says about the movement ``gesture`` ('' for a hand sign or no row)."""
    if gesture is None or not is_dynamic_gesture(gesture):
        return ""
    return MOTION_HINT if is_one_shot(gesture) else DRAG_HINT


def gesture_item_text(gesture: str) -> str:
    return f"{gesture_title(gesture)}  ({gesture})"


class MappingForm(QGroupBox):
    """The form of the selected mapping. ``changed`` is emitted when the user edits a field
    (not while :meth:`load` fills them); ``try_refused`` carries the message when "Try it"
    cannot send the action."""

    changed = Signal()
    try_refused = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Selected mapping", parent)
        self.ctx = ctx
        self._loading = False
        self._countdown = 0
        self._try_spec = ""
        self._try_timer = QTimer(self)
        self._try_timer.setInterval(1000)
        self._try_timer.timeout.connect(self._on_try_tick)
        self._build()

    def _build(self) -> None:
        # Widgets are made in the order they are shown: the order of the Tab key.
        form = QFormLayout(self)
        self.gesture = QComboBox()
        for gid in self.ctx.known_gestures():
            self.gesture.addItem(gesture_item_text(gid), gid)
        self.gesture.activated.connect(lambda _i: self._edited())
        form.addRow("Gesture", self.gesture)
        self.action_type = QComboBox()
        for key, text in ACTION_TYPES:
            self.action_type.addItem(text, key)
        self.action_type.activated.connect(self._on_action_type_changed)
        form.addRow("Action", self.action_type)
        self.params = QStackedWidget()
        self._build_params()
        form.addRow("", self.params)
        self.trigger = QComboBox()
        for key, text in TRIGGERS:
            self.trigger.addItem(text, key)
        self.trigger.activated.connect(lambda _i: self._edited())
        form.addRow("When", self.trigger)
        self.motion_hint = QLabel("")
        self.motion_hint.setObjectName("hint")
        self.motion_hint.setWordWrap(True)
        form.addRow("", self.motion_hint)
        form.setRowVisible(self.motion_hint, False)
        self._form_layout = form
        self.hand = QComboBox()
        for key, text in HANDS:
            self.hand.addItem(text, key)
        self.hand.activated.connect(lambda _i: self._edited())
        form.addRow("Hand", self.hand)
        actions = self.ctx.config.actions
        self.hold = QSpinBox()
        self.hold.setRange(-1, MAX_HOLD_MS)  # -1 shows "default"
        self.hold.setSingleStep(50)
        self.hold.setSuffix(" ms")
        self.hold.setSpecialValueText(f"default ({actions.default_hold_ms} ms)")
        self.hold.valueChanged.connect(lambda _v: self._edited())
        form.addRow("Hold for", self.hold)
        self.cooldown = QSpinBox()
        self.cooldown.setRange(-1, MAX_COOLDOWN_MS)
        self.cooldown.setSingleStep(100)
        self.cooldown.setSuffix(" ms")
        self.cooldown.setSpecialValueText(f"default ({actions.default_cooldown_ms} ms)")
        self.cooldown.valueChanged.connect(lambda _v: self._edited())
        form.addRow("Cooldown", self.cooldown)
        try_row = QHBoxLayout()
        self.try_button = QPushButton("Try it")
        self.try_button.setToolTip(
            f"Performs the action after {TRY_COUNTDOWN_S} s, so you can click into the "
            "window that should receive it"
        )
        self.try_button.clicked.connect(self.try_action)
        self.try_label = QLabel("")
        self.try_label.setObjectName("hint")
        try_row.addWidget(self.try_button)
        try_row.addWidget(self.try_label, 1)
        form.addRow("", try_row)
        self.key_capture.setAccessibleName("Key or combination to send")
        self.text_edit.setAccessibleName("Text to type")
        self.button_combo.setAccessibleName("Mouse button")
        self.scroll_dir.setAccessibleName("Scroll direction")
        self.scroll_steps.setAccessibleName("Scroll steps")
        self.media_combo.setAccessibleName("Media key")

    def _build_params(self) -> None:
        self.param_pages: dict[str, QWidget] = {}
        # keys
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.key_capture = KeyCaptureEdit()
        self.key_capture.captured.connect(lambda _a: self._edited())
        clear = QPushButton("Clear")
        clear.clicked.connect(self._on_clear_key)
        row.addWidget(self.key_capture, 1)
        row.addWidget(clear)
        self.param_pages["keys"] = page
        # type
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText("Text to type")
        self.text_edit.textEdited.connect(lambda _t: self._edited())
        self.param_pages["type"] = self.text_edit
        # click / dclick
        self.button_combo = QComboBox()
        for b in MOUSE_BUTTONS:
            self.button_combo.addItem(f"{b.capitalize()} button", b)
        self.button_combo.activated.connect(lambda _i: self._edited())
        self.param_pages["click"] = self.button_combo
        self.param_pages["dclick"] = self.button_combo
        # scroll
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.scroll_dir = QComboBox()
        for d in SCROLL_DIRECTIONS:
            self.scroll_dir.addItem(d.capitalize(), d)
        self.scroll_dir.activated.connect(lambda _i: self._edited())
        self.scroll_steps = QSpinBox()
        self.scroll_steps.setRange(1, MAX_SCROLL_STEPS)
        self.scroll_steps.setSuffix(" steps")
        self.scroll_steps.valueChanged.connect(lambda _v: self._edited())
        row.addWidget(self.scroll_dir, 1)
        row.addWidget(self.scroll_steps)
        self.param_pages["scroll"] = page
        # media
        self.media_combo = QComboBox()
        for m in MEDIA_KEYS:
            self.media_combo.addItem(m.replace("_", " ").capitalize(), m)
        self.media_combo.activated.connect(lambda _i: self._edited())
        self.param_pages["media"] = self.media_combo
        self.param_pages["none"] = QLabel("The gesture is recognised but does nothing.")
        for page in dict.fromkeys(self.param_pages.values()):
            self.params.addWidget(page)

    # ------------------------------------------------------------------ showing a mapping
    def ensure_gesture(self, gesture: str) -> int:
        """The index of ``gesture`` in the gesture list, adding it (e.g. one just recorded)."""
        i = self.gesture.findData(gesture)
        if i < 0:
            self.gesture.addItem(gesture_item_text(gesture), gesture)
            i = self.gesture.count() - 1
        return i

    def load(self, draft: MappingDraft) -> None:
        """Show ``draft`` in the fields (``changed`` is not emitted)."""
        self._loading = True
        try:
            self.gesture.setCurrentIndex(self.ensure_gesture(draft.gesture))
            self._show_action(draft.action)
            self.trigger.setCurrentIndex(max(0, self.trigger.findData(draft.trigger)))
            self.hand.setCurrentIndex(max(0, self.hand.findData(draft.hand)))
            self.hold.setValue(-1 if draft.hold_ms is None else int(draft.hold_ms))
            cool = draft.cooldown_ms
            self.cooldown.setValue(-1 if cool is None else int(cool))
        finally:
            self._loading = False

    def _show_action(self, action: str) -> None:
        kind, _, arg = action.partition(":")
        kind = kind.lower()
        page = "keys" if kind in ("key", "combo", "") else kind
        if page not in self.param_pages:
            page = "none"
        self.action_type.setCurrentIndex(max(0, self.action_type.findData(page)))
        self.params.setCurrentWidget(self.param_pages[page])
        # Every field starts empty: a field the mapping does not use must not keep the value of
        # the mapping shown before (switching the type would have offered that stale value).
        self.key_capture.clear_capture()
        self.text_edit.clear()
        self.button_combo.setCurrentIndex(0)
        self.scroll_dir.setCurrentIndex(0)
        self.scroll_steps.setValue(1)
        self.media_combo.setCurrentIndex(0)
        if page == "keys":
            self.key_capture.set_action(action)
        elif page == "type":
            self.text_edit.setText(arg)
        elif page in ("click", "dclick"):
            self.params.setCurrentWidget(self.button_combo)
            self.button_combo.setCurrentIndex(max(0, self.button_combo.findData(arg)))
        elif page == "scroll":
            direction, _, steps = arg.partition(":")
            self.scroll_dir.setCurrentIndex(max(0, self.scroll_dir.findData(direction)))
            self.scroll_steps.setValue(int(steps) if steps.isdigit() else 1)
        elif page == "media":
            self.media_combo.setCurrentIndex(max(0, self.media_combo.findData(arg)))

    def refresh(self, gesture: str | None) -> None:
        """Enable what applies to the selected mapping of ``gesture`` (None: no row)."""
        hint = motion_hint(gesture)
        self.hold.setEnabled(not hint)
        self.hold.setToolTip(hint)
        self.hold.setAccessibleDescription(hint)
        self.motion_hint.setText(hint)
        self._form_layout.setRowVisible(self.motion_hint, bool(hint))
        # A one-shot movement has no duration to hold a key or repeat through; the choices stay
        # listed (disabled, with the reason) so a stored one still shows, and the editor's
        # validation names the problem.
        one_shot = gesture is not None and is_one_shot(gesture)
        items = self.trigger.model()
        why = f"{gesture_title(gesture or '')} happens at one moment: nothing to hold"
        for key in HELD_TRIGGERS:
            item = items.item(self.trigger.findData(key))  # type: ignore[attr-defined]
            item.setEnabled(not one_shot)
            item.setToolTip(why if one_shot else "")
        self.try_button.setEnabled(bool(self.form_action()) and self.ctx.sink is not None)

    # ------------------------------------------------------------------ reading the fields
    def action_kind(self) -> str:
        """The action type chosen (a key of ACTION_TYPES)."""
        return str(self.action_type.currentData())

    def form_action(self) -> str:
        """The action string the form describes ('' when the key is not captured yet)."""
        kind = self.action_type.currentData()
        if kind == "keys":
            return self.key_capture.action()
        if kind == "type":
            return f"type:{self.text_edit.text()}" if self.text_edit.text() else ""
        if kind in ("click", "dclick"):
            return f"{kind}:{self.button_combo.currentData()}"
        if kind == "scroll":
            steps = self.scroll_steps.value()
            suffix = f":{steps}" if steps != 1 else ""
            return f"scroll:{self.scroll_dir.currentData()}{suffix}"
        if kind == "media":
            return f"media:{self.media_combo.currentData()}"
        return "none"

    def apply_to(self, draft: MappingDraft) -> MappingDraft:
        """``draft`` with the fields the form shows replaced by the form's values."""
        hold = self.hold.value()
        cool = self.cooldown.value()
        return replace(
            draft,
            gesture=self.gesture.currentData(),
            action=self.form_action(),
            trigger=self.trigger.currentData(),
            hand=self.hand.currentData(),
            hold_ms=None if hold < 0 else hold,
            cooldown_ms=None if cool < 0 else cool,
        )

    def _edited(self) -> None:
        if not self._loading:
            self.changed.emit()

    def _on_action_type_changed(self, _index: int) -> None:
        self.params.setCurrentWidget(self.param_pages[self.action_type.currentData()])
        self._edited()

    def _on_clear_key(self) -> None:
        self.key_capture.clear_capture()
        self._edited()
        self.key_capture.setFocus()

    # ------------------------------------------------------------------ try it
    def try_action(self) -> None:
        """Send the form's action after a countdown, so the user can switch windows."""
        action = self.form_action()
        if not action or self.ctx.sink is None:
            return
        try:
            parse_action(action)
        except HandCueError as exc:
            self.try_refused.emit(str(exc))
            return
        self._try_spec = action
        self._countdown = TRY_COUNTDOWN_S
        self.try_button.setEnabled(False)
        self.try_label.setText(f"Sending {action} in {self._countdown}…")
        self._try_timer.start()

    def _on_try_tick(self) -> None:
        self._countdown -= 1
        if self._countdown > 0:
            self.try_label.setText(f"Sending {self._try_spec} in {self._countdown}…")
            return
        self._try_timer.stop()
        try:
            parse_action(self._try_spec).tap(self.ctx.sink)
            self.try_label.setText(f"Sent {self._try_spec}.")
        except Exception as exc:  # anything the sink raises is shown, the editor stays usable
            log.exception("try-it action failed")
            self.try_label.setText(f"Could not send {self._try_spec}: {exc}")
        self.try_button.setEnabled(True)

    def stop_try(self) -> None:
        """Cancel a countdown (the dialog closes)."""
        self._try_timer.stop()
