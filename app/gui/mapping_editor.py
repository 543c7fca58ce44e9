"""Mapping editor: profiles on the left; the chosen profile's gesture -> action table on the
right, with a form for the selected row (:mod:`app.gui.mapping_form`: action type and
parameters, a key capture field, trigger, hand, hold, cooldown, "Try it") and inline
validation.

The edits live in a Qt-free :class:`~app.gui.mapping_model.MappingModel` until Save, which
validates every profile with the settings models and writes the file atomically through the
context (only the dialog's own edits: changes made to the file meanwhile are kept, and a file
with a mistake is replaced only when the user says so). The dialog only shows the model and
forwards the user's edits to it. GUI thread only."""

from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.a11y import name_widgets
from app.gui.context import AppContext
from app.gui.mapping_form import HANDS, TRIGGERS, MappingForm
from app.gui.mapping_model import EditRefused, MappingDraft, MappingModel
from app.gui.screen_fit import fit_to_screen, scroll_body
from app.gui.video_view import gesture_title
from pipeline.errors import HandCueError
from pipeline.settings import AppConfig
from pipeline.settings.locate import error_text

COLUMNS = ("Gesture", "Action", "Trigger", "Hand", "Hold", "Cooldown")


class MappingEditor(QDialog):
    """Edit profiles and mappings. ``new_gesture`` adds (and selects) a row for a gesture that
    was just recorded."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 new_gesture: str | None = None, profile: str | None = None) -> None:  # fmt: skip
        """``profile``: the profile shown first (default: the active one)."""
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Gesture mappings")
        self.model = MappingModel(ctx.config, ctx.active_profile())
        self._opened_with = ctx.config  # Save takes only this dialog's edits to it
        self._build()
        shown = profile if profile in ctx.config.profiles else self.model.active
        self._fill_profiles(select=shown)
        if new_gesture:
            self.add_mapping(new_gesture)
        # As tall as the table and the form need with a mapping shown (no scrolling where the
        # screen has room), less on a small screen, where the body scrolls.
        outer = self._outer
        margins = outer.contentsMargins().top() + outer.contentsMargins().bottom()
        wanted = self._body.sizeHint().height() + margins + 2 * outer.spacing() + 90
        fit_to_screen(self, 1000, max(660, wanted))

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        outer = self._outer = QVBoxLayout(self)
        body = self._body = QWidget()
        root = QHBoxLayout(body)
        root.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll_body(body), 1)
        left = QVBoxLayout()
        title = QLabel("PROFILES")
        title.setObjectName("sectionTitle")
        left.addWidget(title)
        self.profile_list = QListWidget()
        self.profile_list.setMaximumWidth(220)
        self.profile_list.setAccessibleName("Profiles")
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
        self.inactive_row = QWidget()
        inactive = QHBoxLayout(self.inactive_row)
        inactive.setContentsMargins(0, 0, 0, 0)
        self.inactive_label = QLabel("")
        self.inactive_label.setObjectName("validation")
        self.inactive_label.setWordWrap(True)
        self.make_active_button = QPushButton("Make this profile &active")
        self.make_active_button.setToolTip("Use this profile's mappings from Save on")
        self.make_active_button.clicked.connect(self.make_current_active)
        inactive.addWidget(self.inactive_label, 1)
        inactive.addWidget(self.make_active_button)
        right.addWidget(self.inactive_row)
        self.description = QLineEdit()
        self.description.setPlaceholderText("What this profile is for (optional)")
        self.description.setAccessibleName("Profile description")
        self.description.textEdited.connect(self._on_description_edited)
        right.addWidget(self.description)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName("Mappings")
        self.table.setTabKeyNavigation(False)  # Tab moves on to the next control
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)  # narrow windows scroll sideways, nothing is elided
        self.table.setMinimumHeight(150)
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

        self.form = MappingForm(self.ctx)
        self.form.changed.connect(self._on_form_changed)
        self.form.try_refused.connect(self._set_validation)
        right.addWidget(self.form)

        self.validation = QLabel("")
        self.validation.setObjectName("validation")
        self.validation.setWordWrap(True)
        outer.addWidget(self.validation)
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
        outer.addLayout(bottom)
        root.addLayout(right, 1)
        name_widgets(self)

    # ------------------------------------------------------------------ profiles
    def _fill_profiles(self, select: str | None = None) -> None:
        names = self.model.names()
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        for name in names:
            self.profile_list.addItem(name)
        self.profile_list.blockSignals(False)
        target = select if select in self.model.profiles else names[0]
        self.profile_list.setCurrentRow(names.index(target))
        self._on_profile_selected(target)

    @property
    def current_profile(self) -> str:
        item = self.profile_list.currentItem()
        return item.text() if item is not None else ""

    def _on_profile_selected(self, name: str) -> None:
        if name not in self.model.profiles:
            return
        self.description.setText(self.model.profiles[name].description)
        self.mappings_title.setText(f"MAPPINGS OF PROFILE “{name}”")
        self._update_inactive_hint()
        builtin = self.model.is_builtin(name)
        self.rename_button.setEnabled(not builtin)
        self.remove_profile_button.setEnabled(not builtin)
        tip = "Built-in profiles cannot be renamed or removed (duplicate one instead)"
        self.rename_button.setToolTip(tip if builtin else "")
        self.remove_profile_button.setToolTip(tip if builtin else "")
        self._fill_table()

    def _update_inactive_hint(self) -> None:
        """A profile that is not the active one does nothing: say so, offer to switch."""
        name = self.current_profile
        active = self.model.active
        inactive = bool(name) and name != active
        if inactive:
            self.inactive_label.setText(
                f"“{name}” is not the active profile (“{active}” is): its mappings do "
                "nothing until you make it active."
            )
        self.inactive_row.setVisible(inactive)

    def make_current_active(self) -> None:
        """Make the profile shown the active one (from Save on)."""
        had_focus = self.make_active_button.hasFocus()
        self.model.make_active(self.current_profile)
        self._update_inactive_hint()  # hides the button: the focus must not fall anywhere
        if had_focus:
            self.profile_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _ask_name(self, title: str, default: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, "Profile name:", text=default)
        return name.strip() if ok else None

    def _refused(self, exc: EditRefused) -> bool:
        self._set_validation(str(exc))
        return False

    def add_profile(self, name: str | None = None) -> bool:
        """Add an empty profile (asks for its name when None); False when refused."""
        name = name if name is not None else self._ask_name("New profile", "")
        if not name:
            return False
        try:
            self.model.add_profile(name)
        except EditRefused as exc:
            return self._refused(exc)
        self._fill_profiles(select=name)
        return True

    def duplicate_profile(self, name: str | None = None) -> bool:
        """Copy the profile shown (asks for the copy's name when None); False when refused."""
        source = self.current_profile
        if name is None:
            name = self._ask_name("Duplicate profile", f"{source}-copy")
        if not name:
            return False
        try:
            self.model.duplicate_profile(source, name)
        except EditRefused as exc:
            return self._refused(exc)
        self._fill_profiles(select=name)
        return True

    def rename_profile(self, name: str | None = None) -> bool:
        """Rename the profile shown (asks when None); False for built-ins or when refused."""
        old = self.current_profile
        if self.model.is_builtin(old):
            return False
        name = name if name is not None else self._ask_name("Rename", old)
        if not name:
            return False
        try:
            self.model.rename_profile(old, name)
        except EditRefused as exc:
            return self._refused(exc)
        self._fill_profiles(select=name)
        return True

    def remove_profile(self, *, confirm: bool = True) -> bool:
        """Remove the profile shown (after asking when ``confirm``); False for built-ins."""
        name = self.current_profile
        if self.model.is_builtin(name):
            return False
        if confirm:
            answer = QMessageBox.question(self, "Remove profile",
                                          f"Remove the profile {name!r} and its mappings?")  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                return False
        self.model.remove_profile(name)
        self._fill_profiles(select=self.model.active)
        return True

    def _on_description_edited(self, text: str) -> None:
        if self.current_profile in self.model.profiles:
            self.model.set_description(self.current_profile, text)

    # ------------------------------------------------------------------ mappings table
    @property
    def mappings(self) -> list[MappingDraft]:
        """The mappings of the profile shown (the model's list)."""
        return self.model.mappings(self.current_profile)

    def _selected_row(self) -> int | None:
        row = self.table.currentRow()
        return row if 0 <= row < len(self.mappings) else None

    def _fill_table(self, select: int = 0) -> None:
        rows = self.mappings
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, draft in enumerate(rows):
            self._fill_row(r, draft)
        self.table.blockSignals(False)
        self.form.setEnabled(bool(rows))
        self.remove_button.setEnabled(bool(rows))
        if rows:
            self.table.setCurrentCell(min(select, len(rows) - 1), 0)
            self._load_row(self.table.currentRow())
        self._validate_all()

    def _fill_row(self, r: int, draft: MappingDraft) -> None:
        timing = draft.timing()
        actions = self.model.actions
        if timing is None:  # timings themselves out of range: show what was typed
            hold_text, cool_text = f"{draft.hold_ms} ms", f"{draft.cooldown_ms} ms"
        else:
            hold_text = "—" if timing.one_shot else f"{timing.effective_hold_ms(actions)} ms"
            cool_text = f"{timing.effective_cooldown_ms(actions)} ms"
        values = (
            gesture_title(draft.gesture),
            draft.action or "(not set)",
            dict(TRIGGERS).get(draft.trigger, draft.trigger),
            dict(HANDS).get(draft.hand, draft.hand),
            hold_text,
            cool_text,
        )
        error = draft.error()
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            if error:
                item.setForeground(Qt.GlobalColor.red)
                item.setToolTip(error)
            self.table.setItem(r, c, item)

    def add_mapping(self, gesture: str | None = None) -> None:
        """Add a row for ``gesture`` (default: the first known gesture not mapped yet) and
        select it."""
        profile = self.current_profile
        if gesture is None:
            gesture = self.model.first_unmapped(profile, self.ctx.known_gestures())
        self.form.ensure_gesture(gesture)
        self._fill_table(select=self.model.add_mapping(profile, gesture))

    def remove_mapping(self) -> None:
        row = self._selected_row()
        if row is not None:
            self.model.remove_mapping(self.current_profile, row)
            self._fill_table(select=row)

    def _load_row(self, row: int) -> None:
        if not 0 <= row < len(self.mappings):
            return
        self.form.load(self.mappings[row])
        self._validate_all()

    def _on_form_changed(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        edited = self.form.apply_to(self.mappings[row])
        stored = self.model.set_mapping(self.current_profile, row, edited)
        self.table.blockSignals(True)
        self._fill_row(row, stored)
        self.table.blockSignals(False)
        self._validate_all()

    # ------------------------------------------------------------------ validation / save
    def problems(self) -> list[str]:
        """Every problem in every profile, as messages naming profile and gesture."""
        row = self._selected_row()
        selected = None if row is None else (self.current_profile, row)
        return self.model.problems(selected=selected, selected_kind=self.form.action_kind())

    def _validate_all(self) -> None:
        problems = self.problems()
        self._set_validation("\n".join(problems[:4]) + ("\n…" if len(problems) > 4 else ""))
        self.save_button.setEnabled(not problems)
        row = self._selected_row()
        self.form.refresh(None if row is None else self.mappings[row].gesture)

    def _set_validation(self, text: str) -> None:
        self.validation.setText(text)
        self.validation.setVisible(bool(text))

    def build_config(self) -> AppConfig:
        """The edited settings as a validated AppConfig (raises ValidationError)."""
        return self.model.build_config(self.ctx.config, self.ctx.active_profile())

    def save(self) -> bool:
        """Validate, write the settings and close; False (with the reason shown) otherwise.
        Only this dialog's edits are taken (what changed in the file meanwhile is kept), and
        a settings file with a mistake is written over only when the user says so."""
        if self.problems():
            self._validate_all()
            return False
        try:
            cfg = self.build_config()
            replace = False
            fault = self.ctx.check_settings_file()
            if fault is not None:
                from app.gui.banner import ask_to_replace_settings_file

                if not ask_to_replace_settings_file(self, fault):
                    self._set_validation("Not saved: the settings file has a mistake and was "
                                         "left as it is.")  # fmt: skip
                    return False
                replace = True
            self.ctx.set_config(cfg, since=self._opened_with, replace_invalid=replace)
            if self.ctx.active_profile() != cfg.active_profile:
                self.ctx.set_active_profile(cfg.active_profile)
        except ValidationError as exc:  # e.g. a per-application rule uses a removed profile
            self._set_validation(f"Not saved: {error_text(exc.errors()[0])}")
            return False
        except HandCueError as exc:
            self._set_validation(f"Not saved: {exc}")
            return False
        self.accept()
        return True

    def done(self, result: int) -> None:
        self.form.stop_try()
        super().done(result)
