"""Per-application profiles in the app: the Rules page and the status next to the profile box.

``RulesDialog`` edits ``[switching]`` of the settings: the ordered rules (app / title pattern ->
profile; first match wins), the built-in rules, the default profile and the protection of
HandCue's own windows. A rule can be made from "the window I pick next" (the next window the
user activates that is not HandCue's), moved up and down, and the rules being edited can be
tried on the window that is active now. ``SwitchingStatus`` (in the main window's toolbar)
shows whether the profile follows the active window, and which rule chose it; its "Follow apps"
box unpins a profile chosen by hand.

All GUI thread; the switcher's decisions arrive through ``AppContext.switch_changed``.
"""

from __future__ import annotations

import os

from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.context import AppContext
from pipeline.errors import HandCueError
from pipeline.focus import ProfileChoice, ProfileSwitcher, WindowInfo, choose_profile
from pipeline.settings import AppConfig, builtin_rules
from pipeline.settings.locate import describe_error, error_loc, format_loc

PICK_POLL_MS = 100
APP_COL, TITLE_COL, PROFILE_COL = 0, 1, 2


def describe_choice(choice: ProfileChoice | None, unavailable: str | None = None) -> str:
    """One short line for the toolbar: why the active profile is the active profile."""
    if unavailable:
        return "automatic switching unavailable"
    if choice is None:
        return ""
    if choice.source == "pinned":
        return "pinned by hand"
    if choice.source == "manual":
        return "chosen by hand"
    if choice.source == "rule":
        which = "built-in rule" if choice.builtin else f"rule {choice.rule_index + 1}"
        app = choice.window.app if choice.window is not None else ""
        return f"{which}: {app}" if app else which
    if choice.source == "default":
        return "no rule matches this window"
    return "no active window"


class SwitchingStatus(QWidget):
    """ "Follow apps" box plus the reason for the active profile (toolbar of the main window)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        self.follow_box = QCheckBox("Follow apps")
        self.follow_box.setToolTip(
            "Switch profiles by the active window, following the rules (Rules…). Choosing a "
            "profile by hand pins it until you tick this again."
        )
        self.follow_box.clicked.connect(self._on_follow_clicked)
        layout.addWidget(self.follow_box)
        self.reason_label = QLabel()
        self.reason_label.setObjectName("switchReason")
        layout.addWidget(self.reason_label)
        ctx.switch_changed.connect(self._on_switch_changed)
        ctx.config_changed.connect(self.refresh)
        ctx.state_changed.connect(self.refresh)
        self.refresh()

    def _on_switch_changed(self, _choice: object) -> None:
        self.refresh()

    def _on_follow_clicked(self, checked: bool) -> None:
        try:
            self.ctx.set_following(checked)
        except HandCueError as exc:  # the settings file could not be written
            self.reason_label.setText(str(exc))
        self.refresh()

    def refresh(self) -> None:
        switcher = self.ctx.switcher
        unavailable = None if switcher is None else switcher.unavailable
        choice = None if switcher is None else switcher.choice
        self.follow_box.setEnabled(switcher is not None and unavailable is None)
        self.follow_box.setChecked(self.ctx.following())
        self.reason_label.setText(describe_choice(choice, unavailable))
        tip = unavailable or (choice.reason if choice is not None else "")
        self.reason_label.setToolTip(tip)
        self.follow_box.setToolTip(unavailable or self.follow_box.toolTip())


class RulesDialog(QDialog):
    """The Rules page: edits ``[switching]`` and saves it through ``AppContext.set_config``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Rules: profiles per application")
        self.resize(760, 560)
        cfg = ctx.config
        switching = cfg.switching
        layout = QVBoxLayout(self)

        self.unavailable_label = QLabel()
        self.unavailable_label.setObjectName("banner")
        self.unavailable_label.setProperty("level", "warning")
        self.unavailable_label.setWordWrap(True)
        layout.addWidget(self.unavailable_label)
        unavailable = self._unavailable()
        self.unavailable_label.setText(unavailable or "")
        self.unavailable_label.setVisible(bool(unavailable))

        form = QFormLayout()
        self.enabled_box = QCheckBox("Switch profiles by the active window")
        self.enabled_box.setChecked(switching.enabled)
        form.addRow(self.enabled_box)
        self.builtin_box = QCheckBox(
            "After my rules, use the built-in ones (slide shows -> slides, players -> media)"
        )
        self.builtin_box.setChecked(switching.builtin_rules)
        self.builtin_box.toggled.connect(self._fill_builtin)
        form.addRow(self.builtin_box)
        self.protect_box = QCheckBox(
            "While a HandCue window has the focus, send nothing but arm/disarm"
        )
        self.protect_box.setChecked(switching.protect_own_windows)
        form.addRow(self.protect_box)
        self.default_combo = QComboBox()
        self.default_combo.addItem("The profile chosen by hand", "")
        for name in cfg.profiles:
            self.default_combo.addItem(name, name)
        self.default_combo.setCurrentIndex(max(0, self.default_combo.findData(
            switching.default_profile)))  # fmt: skip
        form.addRow("When no rule matches:", self.default_combo)
        layout.addLayout(form)

        title = QLabel("MY RULES (first match wins; app and title ignore case; * ? [ ] are "
                       "wildcards, otherwise any part matches)")  # fmt: skip
        title.setObjectName("sectionTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["App", "Window title", "Profile"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(APP_COL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TITLE_COL, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        layout.addWidget(self.table, 2)
        for rule in switching.rules:
            self.add_rule(rule.match.app, rule.match.title, rule.profile)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(lambda: self.add_rule())
        self.pick_button = QPushButton("Add from the window I pick next…")
        self.pick_button.setToolTip("Then click the window of the app you want a rule for")
        self.pick_button.clicked.connect(self.start_pick)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button = QPushButton("Up")
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton("Down")
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.test_button = QPushButton("Test on the last window before HandCue")
        self.test_button.setToolTip(
            "Which rule the window you used before coming to HandCue matches"
        )
        self.test_button.clicked.connect(self.test_current)
        self.edit_button = QPushButton("Edit its mappings…")
        self.edit_button.setToolTip(
            "Edit the gestures of the profile the selected rule switches to"
        )
        self.edit_button.clicked.connect(self.edit_selected_mappings)
        self.mapping_editor: QDialog | None = None  # open from edit_button
        for b in (self.add_button, self.pick_button, self.remove_button, self.up_button,
                  self.down_button, self.edit_button):  # fmt: skip
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)
        layout.addLayout(buttons)
        self.pick_button.setEnabled(not unavailable)
        self.test_button.setEnabled(not unavailable)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)

        builtin_title = QLabel("BUILT-IN RULES (after yours)")
        builtin_title.setObjectName("sectionTitle")
        layout.addWidget(builtin_title)
        self.builtin_list = QListWidget()
        self.builtin_list.setMaximumHeight(120)
        layout.addWidget(self.builtin_list, 1)
        self._fill_builtin()

        self.error_label = QLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)

        self._pick_timer = QTimer(self)
        self._pick_timer.setInterval(PICK_POLL_MS)
        self._pick_timer.timeout.connect(self._check_pick)
        self._pick_from: WindowInfo | None = None
        self._pick_left = False
        self.picking = False

    # ------------------------------------------------------------------ rows
    def _unavailable(self) -> str | None:
        switcher = self.ctx.switcher
        if switcher is None:
            return "Automatic profile switching is not running in this window."
        return switcher.unavailable

    def add_rule(self, app: str = "", title: str = "", profile: str | None = None) -> int:
        """Append a row; returns its index."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._set_row(row, app, title, profile or self._default_new_profile())
        self.table.selectRow(row)
        return row

    def _default_new_profile(self) -> str:
        """The profile a new rule starts with: the active one when it has mappings, else the
        first that has any (a rule switching to an empty profile would switch gestures off)."""
        profiles = self.ctx.config.profiles
        active = self.ctx.active_profile()
        if profiles.get(active) is not None and profiles[active].mappings:
            return active
        return next((n for n, p in profiles.items() if p.mappings), next(iter(profiles)))

    def _set_row(self, row: int, app: str, title: str, profile: str) -> None:
        app_edit = QLineEdit(app)
        app_edit.setPlaceholderText("e.g. vlc, powerpnt, *impress*")
        title_edit = QLineEdit(title)
        title_edit.setPlaceholderText("e.g. YouTube, *.odp*")
        combo = QComboBox()
        combo.addItems(list(self.ctx.config.profiles))
        combo.setCurrentIndex(max(0, combo.findText(profile)))
        self.table.setCellWidget(row, APP_COL, app_edit)
        self.table.setCellWidget(row, TITLE_COL, title_edit)
        self.table.setCellWidget(row, PROFILE_COL, combo)

    def row_values(self, row: int) -> tuple[str, str, str]:
        app = self.table.cellWidget(row, APP_COL)
        title = self.table.cellWidget(row, TITLE_COL)
        combo = self.table.cellWidget(row, PROFILE_COL)
        assert isinstance(app, QLineEdit) and isinstance(title, QLineEdit)
        assert isinstance(combo, QComboBox)
        return app.text(), title.text(), combo.currentText()

    def rows(self) -> list[tuple[str, str, str]]:
        return [self.row_values(r) for r in range(self.table.rowCount())]

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def remove_selected(self) -> None:
        row = self._selected_row()
        if row >= 0:
            self.table.removeRow(row)

    def move_selected(self, delta: int) -> None:
        row = self._selected_row()
        target = row + delta
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        values = self.rows()
        values[row], values[target] = values[target], values[row]
        for index, (app, title, profile) in enumerate(values):
            self._set_row(index, app, title, profile)
        self.table.selectRow(target)

    def _fill_builtin(self) -> None:
        self.builtin_list.clear()
        for rule in builtin_rules():
            self.builtin_list.addItem(f"{rule.match.describe()}  ->  {rule.profile}")
        self.builtin_list.setEnabled(self.builtin_box.isChecked())

    # ------------------------------------------------------------------ settings
    def edited_config(self) -> AppConfig:
        """The settings with this page's values; raises ``ValueError`` with a message that
        names the rule and field when they are not valid."""
        data = self.ctx.config.model_dump()
        data["switching"] = dict(
            data["switching"],
            enabled=self.enabled_box.isChecked(),
            builtin_rules=self.builtin_box.isChecked(),
            protect_own_windows=self.protect_box.isChecked(),
            default_profile=self.default_combo.currentData() or "",
            rules=[
                {"match": {"app": app, "title": title}, "profile": profile}
                for app, title, profile in self.rows()
            ],
        )
        try:
            return AppConfig.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = error_loc(error)
            if len(loc) >= 3 and loc[:2] == ("switching", "rules") and isinstance(loc[2], int):
                where = f"Rule {loc[2] + 1}"
                rest = format_loc(loc[3:])
                where += f" ({rest.replace('match.', '')})" if rest else ""
            else:
                where = format_loc(loc)
            raise ValueError(f"{where}: {describe_error(error)}") from None

    def accept(self) -> None:
        try:
            cfg = self.edited_config()
            self.ctx.set_config(cfg)
        except (ValueError, HandCueError) as exc:
            self.error_label.setText(str(exc))
            return
        self._stop_pick()
        super().accept()

    def reject(self) -> None:
        self._stop_pick()
        super().reject()

    # ------------------------------------------------------------------ trying the rules
    def test_current(self) -> ProfileChoice | None:
        """Which of the edited rules the window the user was in before HandCue matches (the
        switcher's latest window that is not HandCue's own: clicking this button makes
        HandCue's own window the active one)."""
        try:
            cfg = self.edited_config()
        except ValueError as exc:
            self.status_label.setText(str(exc))
            return None
        switcher = self.ctx.switcher
        window = None if switcher is None else (switcher.other_window or switcher.window)
        choice = choose_profile(cfg.model_copy(update={"switching": cfg.switching.model_copy(
            update={"pinned": ""})}), window)  # fmt: skip
        if window is None:
            self.status_label.setText("No window has the focus (or it cannot be read).")
            return choice
        text = f"Last window before HandCue: {window.describe()} -> profile {choice.profile}: "
        text += choice.reason
        if window.pid == os.getpid():
            text += " (this is HandCue's own window: use another app, then come back)"
        self.status_label.setText(text)
        if choice.source == "rule" and not choice.builtin:
            self.table.selectRow(choice.rule_index)
        elif choice.source == "rule":
            self.builtin_list.setCurrentRow(choice.rule_index - len(cfg.switching.rules))
        return choice

    def edit_selected_mappings(self) -> None:
        """Open the mapping editor on the selected rule's profile (what the rule switches to)."""
        from app.gui.mapping_editor import MappingEditor

        row = self._selected_row()
        if row < 0:
            self.status_label.setText("Select a rule first.")
            return
        profile = self.row_values(row)[2]
        editor = MappingEditor(self.ctx, self, profile=profile)
        self.mapping_editor = editor
        editor.exec()
        self.mapping_editor = None

    def start_pick(self) -> None:
        """Wait for the next window the user activates that is not HandCue's."""
        switcher = self.ctx.switcher
        if switcher is None or switcher.unavailable:
            return
        self._pick_from = switcher.window
        self._pick_left = False
        self.picking = True
        self.pick_button.setEnabled(False)
        self.status_label.setText("Now click the window of the app you want a rule for…")
        self._pick_timer.start()

    def _check_pick(self) -> None:
        switcher: ProfileSwitcher | None = self.ctx.switcher
        window = None if switcher is None else switcher.window
        if window is not None and window.pid == os.getpid():
            self._pick_left = True  # HandCue had the focus: the next other window counts
            return
        if window is None or (window == self._pick_from and not self._pick_left):
            return
        self._stop_pick()
        app = window.app or window.process
        row = self.add_rule(app=app, title="" if app else window.title)
        self.status_label.setText(
            f"Added rule {row + 1} for {window.describe()}: choose its profile, then Save."
        )
        self.raise_()
        self.activateWindow()

    def _stop_pick(self) -> None:
        self._pick_timer.stop()
        self.picking = False
        self.pick_button.setEnabled(not self._unavailable())
