"""Mapping editor: profiles on the left; the chosen profile's gesture -> action table on the
right, with a form for the selected row (action type and parameters, a key capture field,
trigger, hand, hold, cooldown), inline validation and a "Try it" button.

Edits are kept in the dialog until Save, which validates every profile with the config models
and writes the file atomically through ``pipeline.settings.save_config``."""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.context import AppContext
from app.gui.key_capture import KeyCaptureEdit
from app.gui.video_view import gesture_title
from pipeline.actions.spec import MEDIA_KEYS, MOUSE_BUTTONS, SCROLL_DIRECTIONS, parse_action
from pipeline.errors import HandCueError
from pipeline.settings import BUILTIN_PROFILE_NAMES, Binding, Profile, is_dynamic_gesture

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
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
TRY_COUNTDOWN_S = 3
COLUMNS = ("Gesture", "Action", "Trigger", "Hand", "Hold", "Cooldown")


def _default_mapping(gesture: str) -> dict[str, Any]:
    return {"gesture": gesture, "action": "", "trigger": "on_start", "hand": "any",
            "hold_ms": None, "cooldown_ms": None, "repeat_ms": None}  # fmt: skip


def _timing_binding(raw: dict[str, Any]) -> Binding | None:
    """A Binding with ``raw``'s gesture and timings (the action may not be chosen yet), to ask
    it for the effective hold and cooldown; None when the timings themselves are invalid."""
    try:
        return Binding(gesture=raw["gesture"], action="none", hold_ms=raw.get("hold_ms"),
                       cooldown_ms=raw.get("cooldown_ms"))  # fmt: skip
    except ValidationError:
        return None


def _mapping_error(raw: dict[str, Any]) -> str:
    """'' when ``raw`` is a valid mapping, else a short message for the user."""
    try:
        Binding.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = str(err["msg"]).removeprefix("Value error, ")
        field = ".".join(map(str, err["loc"]))
        return f"{field}: {msg}" if field else msg
    return ""


class MappingEditor(QDialog):
    """Edit profiles and mappings. ``new_gesture`` adds (and selects) a row for a gesture that
    was just recorded."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 new_gesture: str | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Gesture mappings")
        self.resize(1000, 620)
        cfg = ctx.config
        self.profiles: dict[str, dict[str, Any]] = {
            name: {
                "description": p.description,
                "mappings": [m.model_dump() for m in p.mappings],
            }
            for name, p in cfg.profiles.items()
        }
        self.active = ctx.active_profile()
        self._loading = False
        self._countdown = 0
        self._try_timer = QTimer(self)
        self._try_timer.setInterval(1000)
        self._try_timer.timeout.connect(self._on_try_tick)
        self._build()
        self._fill_profiles(select=self.active)
        if new_gesture:
            self.add_mapping(new_gesture)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        title = QLabel("PROFILES")
        title.setObjectName("sectionTitle")
        left.addWidget(title)
        self.profile_list = QListWidget()
        self.profile_list.setMaximumWidth(220)
        self.profile_list.currentTextChanged.connect(self._on_profile_selected)
        left.addWidget(self.profile_list, 1)
        grid = QHBoxLayout()
        self.add_profile_button = QPushButton("Add")
        self.add_profile_button.clicked.connect(lambda: self.add_profile())
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.clicked.connect(lambda: self.duplicate_profile())
        grid.addWidget(self.add_profile_button)
        grid.addWidget(self.duplicate_button)
        left.addLayout(grid)
        grid = QHBoxLayout()
        self.rename_button = QPushButton("Rename")
        self.rename_button.clicked.connect(lambda: self.rename_profile())
        self.remove_profile_button = QPushButton("Remove")
        self.remove_profile_button.clicked.connect(lambda: self.remove_profile())
        grid.addWidget(self.rename_button)
        grid.addWidget(self.remove_profile_button)
        left.addLayout(grid)
        root.addLayout(left)

        right = QVBoxLayout()
        self.mappings_title = QLabel("MAPPINGS")
        self.mappings_title.setObjectName("sectionTitle")
        right.addWidget(self.mappings_title)
        self.description = QLineEdit()
        self.description.setPlaceholderText("What this profile is for (optional)")
        self.description.textEdited.connect(self._on_description_edited)
        right.addWidget(self.description)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._load_row(row))
        right.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add mapping")
        self.add_button.clicked.connect(lambda: self.add_mapping())
        self.remove_button = QPushButton("Remove mapping")
        self.remove_button.clicked.connect(self.remove_mapping)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        right.addLayout(buttons)

        self.form_box = QGroupBox("Selected mapping")
        form = QFormLayout(self.form_box)
        self.gesture = QComboBox()
        for gid in self.ctx.known_gestures():
            self.gesture.addItem(f"{gesture_title(gid)}  ({gid})", gid)
        self.gesture.activated.connect(lambda _i: self._on_form_changed())
        form.addRow("Gesture", self.gesture)
        self.action_type = QComboBox()
        for key, title in ACTION_TYPES:
            self.action_type.addItem(title, key)
        self.action_type.activated.connect(self._on_action_type_changed)
        form.addRow("Action", self.action_type)
        self.params = QStackedWidget()
        self._build_params()
        form.addRow("", self.params)
        self.trigger = QComboBox()
        for key, title in TRIGGERS:
            self.trigger.addItem(title, key)
        self.trigger.activated.connect(lambda _i: self._on_form_changed())
        form.addRow("When", self.trigger)
        self.hand = QComboBox()
        for key, title in HANDS:
            self.hand.addItem(title, key)
        self.hand.activated.connect(lambda _i: self._on_form_changed())
        form.addRow("Hand", self.hand)
        self.hold = QSpinBox()
        self.hold.setRange(-1, 10_000)
        self.hold.setSingleStep(50)
        self.hold.setSuffix(" ms")
        self.hold.setSpecialValueText(f"default ({self.ctx.config.actions.default_hold_ms} ms)")
        self.hold.valueChanged.connect(lambda _v: self._on_form_changed())
        form.addRow("Hold for", self.hold)
        self.cooldown = QSpinBox()
        self.cooldown.setRange(-1, 60_000)
        self.cooldown.setSingleStep(100)
        self.cooldown.setSuffix(" ms")
        self.cooldown.setSpecialValueText(
            f"default ({self.ctx.config.actions.default_cooldown_ms} ms)"
        )
        self.cooldown.valueChanged.connect(lambda _v: self._on_form_changed())
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
        right.addWidget(self.form_box)

        self.validation = QLabel("")
        self.validation.setObjectName("validation")
        self.validation.setWordWrap(True)
        right.addWidget(self.validation)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save")
        self.save_button.setProperty("accent", True)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.save_button)
        right.addLayout(bottom)
        root.addLayout(right, 1)

    def _build_params(self) -> None:
        self.param_pages: dict[str, QWidget] = {}
        # keys
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.key_capture = KeyCaptureEdit()
        self.key_capture.captured.connect(lambda _a: self._on_form_changed())
        clear = QPushButton("Clear")
        clear.clicked.connect(lambda: (self.key_capture.clear_capture(), self._on_form_changed()))
        row.addWidget(self.key_capture, 1)
        row.addWidget(clear)
        self.param_pages["keys"] = page
        # type
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText("Text to type")
        self.text_edit.textEdited.connect(lambda _t: self._on_form_changed())
        self.param_pages["type"] = self.text_edit
        # click / dclick
        self.button_combo = QComboBox()
        for b in MOUSE_BUTTONS:
            self.button_combo.addItem(f"{b.capitalize()} button", b)
        self.button_combo.activated.connect(lambda _i: self._on_form_changed())
        self.param_pages["click"] = self.button_combo
        self.param_pages["dclick"] = self.button_combo
        # scroll
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.scroll_dir = QComboBox()
        for d in SCROLL_DIRECTIONS:
            self.scroll_dir.addItem(d.capitalize(), d)
        self.scroll_dir.activated.connect(lambda _i: self._on_form_changed())
        self.scroll_steps = QSpinBox()
        self.scroll_steps.setRange(1, 100)
        self.scroll_steps.setSuffix(" steps")
        self.scroll_steps.valueChanged.connect(lambda _v: self._on_form_changed())
        row.addWidget(self.scroll_dir, 1)
        row.addWidget(self.scroll_steps)
        self.param_pages["scroll"] = page
        # media
        self.media_combo = QComboBox()
        for m in MEDIA_KEYS:
            self.media_combo.addItem(m.replace("_", " ").capitalize(), m)
        self.media_combo.activated.connect(lambda _i: self._on_form_changed())
        self.param_pages["media"] = self.media_combo
        self.param_pages["none"] = QLabel("The gesture is recognised but does nothing.")
        for page in dict.fromkeys(self.param_pages.values()):
            self.params.addWidget(page)

    # ------------------------------------------------------------------ profiles
    def _fill_profiles(self, select: str | None = None) -> None:
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        for name in self.profiles:
            self.profile_list.addItem(name)
        self.profile_list.blockSignals(False)
        names = list(self.profiles)
        target = select if select in self.profiles else names[0]
        self.profile_list.setCurrentRow(names.index(target))
        self._on_profile_selected(target)

    @property
    def current_profile(self) -> str:
        item = self.profile_list.currentItem()
        return item.text() if item is not None else ""

    def _on_profile_selected(self, name: str) -> None:
        if name not in self.profiles:
            return
        self.description.setText(self.profiles[name]["description"])
        self.mappings_title.setText(f"MAPPINGS OF PROFILE “{name}”")
        builtin = name in BUILTIN_PROFILE_NAMES
        self.rename_button.setEnabled(not builtin)
        self.remove_profile_button.setEnabled(not builtin)
        tip = "Built-in profiles cannot be renamed or removed (duplicate one instead)"
        self.rename_button.setToolTip(tip if builtin else "")
        self.remove_profile_button.setToolTip(tip if builtin else "")
        self._fill_table()

    def _ask_name(self, title: str, default: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, "Profile name:", text=default)
        return name.strip() if ok else None

    def _check_new_name(self, name: str | None) -> str | None:
        if not name:
            return None
        if not PROFILE_NAME.match(name):
            self._set_validation(
                f"Profile name {name!r}: use up to 40 letters, digits, '_' or '-', "
                "starting with a letter or digit."
            )
            return None
        if name in self.profiles:
            self._set_validation(f"There is already a profile named {name!r}.")
            return None
        return name

    def add_profile(self, name: str | None = None) -> bool:
        name = self._check_new_name(name if name is not None else self._ask_name("New profile", ""))
        if name is None:
            return False
        self.profiles[name] = {"description": "", "mappings": []}
        self._fill_profiles(select=name)
        return True

    def duplicate_profile(self, name: str | None = None) -> bool:
        source = self.current_profile
        if name is None:
            name = self._ask_name("Duplicate profile", f"{source}-copy")
        name = self._check_new_name(name)
        if name is None:
            return False
        src = self.profiles[source]
        self.profiles[name] = {"description": src["description"],
                               "mappings": [dict(m) for m in src["mappings"]]}  # fmt: skip
        self._fill_profiles(select=name)
        return True

    def rename_profile(self, name: str | None = None) -> bool:
        old = self.current_profile
        if old in BUILTIN_PROFILE_NAMES:
            return False
        name = self._check_new_name(name if name is not None else self._ask_name("Rename", old))
        if name is None:
            return False
        self.profiles = {(name if k == old else k): v for k, v in self.profiles.items()}
        if self.active == old:
            self.active = name
        self._fill_profiles(select=name)
        return True

    def remove_profile(self, *, confirm: bool = True) -> bool:
        name = self.current_profile
        if name in BUILTIN_PROFILE_NAMES:
            return False
        if confirm:
            answer = QMessageBox.question(self, "Remove profile",
                                          f"Remove the profile {name!r} and its mappings?")  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                return False
        del self.profiles[name]
        if self.active == name:
            self.active = BUILTIN_PROFILE_NAMES[0]
        self._fill_profiles(select=self.active)
        return True

    def _on_description_edited(self, text: str) -> None:
        if self.current_profile in self.profiles:
            self.profiles[self.current_profile]["description"] = text

    # ------------------------------------------------------------------ mappings table
    @property
    def mappings(self) -> list[dict[str, Any]]:
        return self.profiles[self.current_profile]["mappings"]

    def _fill_table(self, select: int = 0) -> None:
        rows = self.mappings
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, raw in enumerate(rows):
            self._fill_row(r, raw)
        self.table.blockSignals(False)
        self.form_box.setEnabled(bool(rows))
        self.remove_button.setEnabled(bool(rows))
        if rows:
            self.table.setCurrentCell(min(select, len(rows) - 1), 0)
            self._load_row(self.table.currentRow())
        self._validate_all()

    def _fill_row(self, r: int, raw: dict[str, Any]) -> None:
        timing = _timing_binding(raw)
        actions = self.ctx.config.actions
        if timing is None:  # timings themselves out of range: show what was typed
            hold_text, cool_text = f"{raw.get('hold_ms')} ms", f"{raw.get('cooldown_ms')} ms"
        else:
            hold_text = "—" if timing.one_shot else f"{timing.effective_hold_ms(actions)} ms"
            cool_text = f"{timing.effective_cooldown_ms(actions)} ms"
        values = (
            gesture_title(raw["gesture"]),
            raw["action"] or "(not set)",
            dict(TRIGGERS).get(raw["trigger"], raw["trigger"]),
            dict(HANDS).get(raw["hand"], raw["hand"]),
            hold_text,
            cool_text,
        )
        error = _mapping_error(raw) if raw["action"] else "choose the action"
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            if error:
                item.setForeground(Qt.GlobalColor.red)
                item.setToolTip(error)
            self.table.setItem(r, c, item)

    def add_mapping(self, gesture: str | None = None) -> None:
        used = {m["gesture"] for m in self.mappings}
        if gesture is None:
            gesture = next((g for g in self.ctx.known_gestures() if g not in used), "thumb_up")
        if self.gesture.findData(gesture) < 0:
            self.gesture.addItem(f"{gesture_title(gesture)}  ({gesture})", gesture)
        self.mappings.append(_default_mapping(gesture))
        self._fill_table(select=len(self.mappings) - 1)

    def remove_mapping(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.mappings):
            del self.mappings[row]
            self._fill_table(select=row)

    # ------------------------------------------------------------------ form
    def _load_row(self, row: int) -> None:
        if not 0 <= row < len(self.mappings):
            return
        raw = self.mappings[row]
        self._loading = True
        try:
            i = self.gesture.findData(raw["gesture"])
            if i < 0:
                self.gesture.addItem(f"{gesture_title(raw['gesture'])}  ({raw['gesture']})",
                                     raw["gesture"])  # fmt: skip
                i = self.gesture.count() - 1
            self.gesture.setCurrentIndex(i)
            self._show_action(raw["action"])
            self.trigger.setCurrentIndex(max(0, self.trigger.findData(raw["trigger"])))
            self.hand.setCurrentIndex(max(0, self.hand.findData(raw["hand"])))
            self.hold.setValue(-1 if raw.get("hold_ms") is None else int(raw["hold_ms"]))
            cool = raw.get("cooldown_ms")
            self.cooldown.setValue(-1 if cool is None else int(cool))
        finally:
            self._loading = False
        self._validate_all()

    def _show_action(self, action: str) -> None:
        kind, _, arg = action.partition(":")
        kind = kind.lower()
        page = "keys" if kind in ("key", "combo", "") else kind
        if page not in self.param_pages:
            page = "none"
        self.action_type.setCurrentIndex(max(0, self.action_type.findData(page)))
        self.params.setCurrentWidget(self.param_pages[page])
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

    def _on_action_type_changed(self, _index: int) -> None:
        page = self.action_type.currentData()
        self.params.setCurrentWidget(self.param_pages[page])
        self._on_form_changed()

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

    def _on_form_changed(self) -> None:
        if self._loading:
            return
        row = self.table.currentRow()
        if not 0 <= row < len(self.mappings):
            return
        hold = self.hold.value()
        cool = self.cooldown.value()
        raw = dict(self.mappings[row])
        raw.update(
            gesture=self.gesture.currentData(),
            action=self.form_action(),
            trigger=self.trigger.currentData(),
            hand=self.hand.currentData(),
            hold_ms=None if hold < 0 else hold,
            cooldown_ms=None if cool < 0 else cool,
        )
        if raw["trigger"] != "while_held":
            raw["repeat_ms"] = None
        self.mappings[row] = raw
        self.table.blockSignals(True)
        self._fill_row(row, raw)
        self.table.blockSignals(False)
        self._validate_all()

    # ------------------------------------------------------------------ validation / save
    def problems(self) -> list[str]:
        """Every problem in every profile, as messages naming profile and gesture."""
        out = []
        for name, prof in self.profiles.items():
            seen: dict[tuple[str, str, str], int] = {}
            for raw in prof["mappings"]:
                if not raw["action"]:
                    out.append(f"{name} / {raw['gesture']}: press the key or combination to send")
                    continue
                error = _mapping_error(raw)
                if error:
                    out.append(f"{name} / {raw['gesture']}: {error}")
                key = (raw["gesture"], raw["hand"], raw["trigger"])
                seen[key] = seen.get(key, 0) + 1
            for (gesture, _hand, _trigger), n in seen.items():
                if n > 1:
                    out.append(f"{name}: {gesture} is mapped {n} times with the same trigger")
        actions = self.ctx.config.actions
        for name, prof in self.profiles.items():
            conflicts = {actions.arm_conflict(m["gesture"]) for m in prof["mappings"]} - {None}
            out.extend(f"{name}: {conflict}" for conflict in sorted(map(str, conflicts)))
        return out

    def _validate_all(self) -> None:
        problems = self.problems()
        self._set_validation("\n".join(problems[:4]) + ("\n…" if len(problems) > 4 else ""))
        self.save_button.setEnabled(not problems)
        row = self.table.currentRow()
        hint = ""
        if 0 <= row < len(self.mappings):
            gesture = self.mappings[row]["gesture"]
            if is_dynamic_gesture(gesture):
                hint = "Swipes are instant: hold time does not apply."
        self.hold.setEnabled(not hint)
        self.hold.setToolTip(hint)
        self.try_button.setEnabled(bool(self.form_action()) and self.ctx.sink is not None)

    def _set_validation(self, text: str) -> None:
        self.validation.setText(text)
        self.validation.setVisible(bool(text))

    def build_config(self):
        """The edited settings as a validated AppConfig (raises ValidationError)."""
        cfg = self.ctx.config
        profiles = {
            name: Profile(description=p["description"],
                          mappings=tuple(Binding.model_validate(m) for m in p["mappings"]))
            for name, p in self.profiles.items()
        }  # fmt: skip
        active = self.ctx.active_profile()
        if active not in profiles:
            active = self.active if self.active in profiles else BUILTIN_PROFILE_NAMES[0]
        data = cfg.model_dump()
        data["profiles"] = {n: p.model_dump() for n, p in profiles.items()}
        data["active_profile"] = active
        return type(cfg).model_validate(data)

    def save(self) -> bool:
        if self.problems():
            self._validate_all()
            return False
        try:
            cfg = self.build_config()
            removed = set(self.ctx.config.profiles) - set(cfg.profiles)
            self.ctx.set_config(cfg)
            if (
                self.ctx.active_profile() in removed
                or self.ctx.active_profile() not in cfg.profiles
            ):
                self.ctx.set_active_profile(cfg.active_profile)
        except (ValidationError, HandCueError) as exc:
            self._set_validation(f"Not saved: {exc}")
            return False
        self.accept()
        return True

    # ------------------------------------------------------------------ try it
    def try_action(self) -> None:
        action = self.form_action()
        if not action or self.ctx.sink is None:
            return
        try:
            parse_action(action)
        except HandCueError as exc:
            self._set_validation(str(exc))
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
        except Exception as exc:
            log.exception("try-it action failed")
            self.try_label.setText(f"Could not send {self._try_spec}: {exc}")
        self.try_button.setEnabled(True)

    def done(self, result: int) -> None:
        self._try_timer.stop()
        super().done(result)
