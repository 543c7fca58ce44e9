"""What the mapping editor edits, without Qt: the profiles being edited, their mappings, the
operations the dialog performs on them, the problems it reports and the settings it saves.

Every check is the settings schema's (:class:`pipeline.settings.Binding`, ``Profile``,
``AppConfig``); this module only words the answers for the dialog. Not thread-safe: the GUI
thread owns a model (it is plain data, so tests build one directly)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from pydantic import ValidationError

from pipeline.settings import BUILTIN_PROFILE_NAMES, ActionSettings, AppConfig, Binding, Profile

MISSING_ACTION = "choose the action"
# What to do for a mapping without an action, in the words of the action type the form shows
# for it (keys of the editor's action types); any other type gets MISSING_ACTION.
MISSING_ACTION_BY_KIND = {
    "keys": "press the key or combination to send",
    "type": "type the text to send",
}
FALLBACK_GESTURE = "thumb_up"  # a new mapping's gesture when every known one is mapped already


class EditRefused(ValueError):
    """An edit the model does not make; the message is for the user."""


@dataclass
class MappingDraft:
    """One mapping as the user is editing it: like a :class:`Binding` but possibly invalid
    (``action`` is "" until the user chooses one). Timings in ms; None = the ``[actions]``
    default."""

    gesture: str
    action: str = ""
    trigger: str = "on_start"
    hand: str = "any"
    hold_ms: int | None = None
    cooldown_ms: int | None = None
    repeat_ms: int | None = None

    @classmethod
    def from_binding(cls, binding: Binding) -> MappingDraft:
        return cls(**binding.model_dump())

    def binding(self) -> Binding:
        """The mapping as a validated Binding; raises pydantic's ValidationError."""
        return Binding.model_validate(asdict(self))

    def error(self) -> str:
        """'' when the mapping is valid, else a short message for the user (the first
        problem the schema finds, as ``field: message``)."""
        if not self.action:
            return MISSING_ACTION
        try:
            self.binding()
        except ValidationError as exc:
            err = exc.errors()[0]
            msg = str(err["msg"]).removeprefix("Value error, ")
            where = ".".join(map(str, err["loc"]))
            return f"{where}: {msg}" if where else msg
        return ""

    def timing(self) -> Binding | None:
        """A Binding with this mapping's gesture and timings (the action may not be chosen
        yet), to ask it for the effective hold and cooldown; None when the timings
        themselves are invalid."""
        try:
            return Binding(gesture=self.gesture, action="none", hold_ms=self.hold_ms,
                           cooldown_ms=self.cooldown_ms)  # fmt: skip
        except ValidationError:
            return None


@dataclass
class ProfileDraft:
    """One profile being edited: its description and its mappings, in order."""

    description: str = ""
    mappings: list[MappingDraft] = field(default_factory=list)

    @classmethod
    def from_profile(cls, profile: Profile) -> ProfileDraft:
        return cls(profile.description, [MappingDraft.from_binding(m) for m in profile.mappings])

    def profile(self) -> Profile:
        """The profile as a validated Profile; raises pydantic's ValidationError."""
        return Profile(description=self.description,
                       mappings=tuple(m.binding() for m in self.mappings))  # fmt: skip


def profile_name_ok(name: str) -> bool:
    """Whether the settings file accepts ``name`` as a profile name (asked of AppConfig, which
    owns the rule)."""
    try:
        AppConfig.model_validate({"profiles": {name: {}}})
    except ValidationError:
        return False
    return True


class MappingModel:
    """The profiles of ``config`` (in its order) as drafts, and which one is active.

    ``active`` starts as ``active`` (the profile in use, which the dialog is told) and becomes
    ``config.active_profile`` of the saved settings. ``actions`` (the defaults and the arm
    gesture the problems are measured against) is ``config.actions``. Rows are indices into a
    profile's ``mappings``."""

    def __init__(self, config: AppConfig, active: str) -> None:
        self.actions: ActionSettings = config.actions
        self.profiles: dict[str, ProfileDraft] = {
            name: ProfileDraft.from_profile(p) for name, p in config.profiles.items()
        }
        self.active = active
        self._saved = (copy.deepcopy(self.profiles), active)

    # ------------------------------------------------------------------ profiles
    def names(self) -> list[str]:
        return list(self.profiles)

    @staticmethod
    def is_builtin(name: str) -> bool:
        """Built-in profiles cannot be renamed or removed."""
        return name in BUILTIN_PROFILE_NAMES

    def name_problem(self, name: str) -> str:
        """Why ``name`` cannot name a new profile ('' when it can)."""
        if not profile_name_ok(name):
            return (
                f"Profile name {name!r}: use up to 40 letters, digits, '_' or '-', "
                "starting with a letter or digit."
            )
        if name in self.profiles:
            return f"There is already a profile named {name!r}."
        return ""

    def _check_new_name(self, name: str) -> None:
        problem = self.name_problem(name)
        if problem:
            raise EditRefused(problem)

    def _check_not_builtin(self, name: str) -> None:
        if self.is_builtin(name):
            raise EditRefused(f"The built-in profile {name!r} cannot be renamed or removed.")

    def add_profile(self, name: str) -> None:
        """Add an empty profile at the end; raises EditRefused."""
        self._check_new_name(name)
        self.profiles[name] = ProfileDraft()

    def duplicate_profile(self, source: str, name: str) -> None:
        """Add a copy of ``source`` (description and mappings) named ``name``; raises
        EditRefused."""
        self._check_new_name(name)
        self.profiles[name] = copy.deepcopy(self.profiles[source])

    def rename_profile(self, old: str, name: str) -> None:
        """Rename ``old`` in place (the order stays), following it as the active profile;
        raises EditRefused."""
        self._check_not_builtin(old)
        self._check_new_name(name)
        self.profiles = {(name if k == old else k): v for k, v in self.profiles.items()}
        if self.active == old:
            self.active = name

    def remove_profile(self, name: str) -> None:
        """Remove ``name``; when it was the active one the first built-in profile becomes
        active. Raises EditRefused for a built-in profile."""
        self._check_not_builtin(name)
        del self.profiles[name]
        if self.active == name:
            self.active = BUILTIN_PROFILE_NAMES[0]

    def set_description(self, name: str, text: str) -> None:
        self.profiles[name].description = text

    def make_active(self, name: str) -> None:
        if name in self.profiles:
            self.active = name

    # ------------------------------------------------------------------ mappings
    def mappings(self, profile: str) -> list[MappingDraft]:
        """``profile``'s mappings (the model's own list: edit them through the model)."""
        return self.profiles[profile].mappings

    def first_unmapped(self, profile: str, known: Iterable[str]) -> str:
        """The first of ``known`` gestures ``profile`` does not map yet (else thumb_up)."""
        used = {m.gesture for m in self.mappings(profile)}
        return next((g for g in known if g not in used), FALLBACK_GESTURE)

    def add_mapping(self, profile: str, gesture: str) -> int:
        """Append a mapping of ``gesture`` with no action yet; returns its row."""
        rows = self.mappings(profile)
        rows.append(MappingDraft(gesture))
        return len(rows) - 1

    def remove_mapping(self, profile: str, row: int) -> None:
        del self.mappings(profile)[row]

    def move_mapping(self, profile: str, row: int, to: int) -> int:
        """Move the mapping at ``row`` to position ``to`` (clamped to the list); returns where
        it ended up."""
        rows = self.mappings(profile)
        mapping = rows.pop(row)
        to = max(0, min(to, len(rows)))
        rows.insert(to, mapping)
        return to

    def set_mapping(self, profile: str, row: int, edited: MappingDraft) -> MappingDraft:
        """Store the edited mapping at ``row``; a repeat interval is dropped unless the trigger
        is ``while_held`` (the only one that repeats). Returns what was stored."""
        if edited.trigger != "while_held":
            edited = replace(edited, repeat_ms=None)
        self.mappings(profile)[row] = edited
        return edited

    # ------------------------------------------------------------------ checks and saving
    def problems(self, *, selected: tuple[str, int] | None = None,
                 selected_kind: str | None = None) -> list[str]:  # fmt: skip
        """Every problem in every profile, as messages naming profile and gesture. A mapping
        without an action says what to do in the words of ``selected_kind`` (the action type
        the form shows) when it is the ``selected`` (profile, row)."""
        out = []
        for name, prof in self.profiles.items():
            seen: dict[tuple[str, str, str], int] = {}
            for row, m in enumerate(prof.mappings):
                if not m.action:
                    kind = selected_kind if selected == (name, row) else None
                    hint = MISSING_ACTION_BY_KIND.get(kind or "", MISSING_ACTION)
                    out.append(f"{name} / {m.gesture}: {hint}")
                    continue
                error = m.error()
                if error:
                    out.append(f"{name} / {m.gesture}: {error}")
                key = (m.gesture, m.hand, m.trigger)
                seen[key] = seen.get(key, 0) + 1
            for (gesture, _hand, _trigger), n in seen.items():
                if n > 1:
                    out.append(f"{name}: {gesture} is mapped {n} times with the same trigger")
        for name, prof in self.profiles.items():
            conflicts = {self.actions.arm_conflict(m.gesture) for m in prof.mappings} - {None}
            out.extend(f"{name}: {conflict}" for conflict in sorted(map(str, conflicts)))
        return out

    def build_config(self, base: AppConfig, fallback_active: str | None = None) -> AppConfig:
        """``base`` with the edited profiles and active profile, validated (raises pydantic's
        ValidationError, e.g. when a per-application rule names a removed profile). The
        active profile falls back to ``fallback_active``, then the first built-in one."""
        profiles = {name: p.profile() for name, p in self.profiles.items()}
        active = self.active if self.active in profiles else fallback_active
        if active not in profiles:
            active = BUILTIN_PROFILE_NAMES[0]
        data = base.model_dump()
        data["profiles"] = {n: p.model_dump() for n, p in profiles.items()}
        data["active_profile"] = active
        return type(base).model_validate(data)

    def is_dirty(self) -> bool:
        """Whether anything differs from what the model was built with."""
        return (self.profiles, self.active) != self._saved
