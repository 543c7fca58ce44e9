"""``--map GESTURE[OPTIONS]=ACTION``: a binding written on the command line (``handcue run``).

The text becomes a validated :class:`pipeline.settings.Binding`; options set the other fields
of a settings-file mapping, and every value is checked by the Binding model itself, so the
limits are those of the settings file.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import ValidationError

from pipeline.errors import HandCueError
from pipeline.settings import Binding

# --map option name -> Binding field. The settings-file names are accepted too.
MAP_OPTIONS: dict[str, str] = {
    "trigger": "trigger",
    "hand": "hand",
    "hold": "hold_ms",
    "cooldown": "cooldown_ms",
    "repeat": "repeat_ms",
    "hold_ms": "hold_ms",
    "cooldown_ms": "cooldown_ms",
    "repeat_ms": "repeat_ms",
}
MAP_OPTIONS_HELP = (
    "OPTIONS: trigger=on_start|while_held|on_end|hold, hand=any|left|right, hold=MS "
    "(the gesture must last this long), cooldown=MS, repeat=MS (while_held interval), "
    "comma-separated; unset timings come from [actions] in the settings"
)
_MAP_FORMS = "GESTURE=ACTION or GESTURE[OPTION=VALUE,...]=ACTION"
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")


def _option_name(field: str) -> str:
    return field.removesuffix("_ms")


def _allowed(field: str) -> str:
    """What the Binding model accepts for ``field``, in words (read from the model itself)."""
    info = Binding.model_fields[field]
    choices = typing.get_args(info.annotation)
    if field in ("trigger", "hand"):
        return "one of " + ", ".join(choices)
    low = next(m.ge for m in info.metadata if hasattr(m, "ge"))
    high = next(m.le for m in info.metadata if hasattr(m, "le"))
    return f"a whole number of milliseconds from {low} to {high}"


def _options_list() -> str:
    return ", ".join(
        f"{_option_name(field)} ({_allowed(field)})"
        for field in ("trigger", "hand", "hold_ms", "cooldown_ms", "repeat_ms")
    )


def _split_map(text: str) -> tuple[str, str | None, str]:
    """``GESTURE=ACTION`` or ``GESTURE[OPTIONS]=ACTION`` -> (gesture, options or None, action).

    Options sit between the gesture and the first ``=``: gesture ids never contain ``[`` or
    ``=``, so every string that was valid before options existed means the same, and the
    action (``type:`` text may hold any character) is everything after ``]=``.
    """
    bracket, equals = text.find("["), text.find("=")
    if bracket == -1 or (equals != -1 and equals < bracket):
        gesture, sep, action = text.partition("=")
        if not sep or not gesture.strip() or not action.strip():
            raise HandCueError(f"--map {text!r}: write it as {_MAP_FORMS}, e.g. thumb_up=key:n")
        return gesture.strip(), None, action.strip()
    close = text.find("]", bracket)
    if close == -1:
        raise HandCueError(
            f"--map {text!r}: the options after the gesture need a closing ']'; write it as "
            f"{_MAP_FORMS}"
        )
    gesture, options, rest = text[:bracket].strip(), text[bracket + 1 : close], text[close + 1 :]
    rest = rest.lstrip()
    if not gesture or not rest.startswith("=") or not rest[1:].strip():
        raise HandCueError(
            f"--map {text!r}: write it as {_MAP_FORMS}, "
            "e.g. open_palm[trigger=while_held,repeat=150]=scroll:down"
        )
    return gesture, options, rest[1:].strip()


def _parse_map_options(text: str, options: str) -> dict[str, Any]:
    """``trigger=hold,hold=200`` -> Binding fields (values still unchecked but for integers)."""
    fields: dict[str, Any] = {}
    if not options.strip():
        raise HandCueError(
            f"--map {text!r}: nothing between '[' and ']'; options: {_options_list()}"
        )
    for item in options.split(","):
        name, sep, value = (part.strip() for part in item.partition("="))
        if not name:
            raise HandCueError(
                f"--map {text!r}: empty option; separate NAME=VALUE options with single commas"
            )
        field = MAP_OPTIONS.get(name.lower())
        if field is None:
            raise HandCueError(
                f"--map {text!r}: unknown option {name!r}; options: {_options_list()}"
            )
        if not sep or not value:
            raise HandCueError(
                f"--map {text!r}: option {name!r} needs a value: {_option_name(field)}=VALUE "
                f"with VALUE {_allowed(field)}"
            )
        if field in fields:
            raise HandCueError(f"--map {text!r}: option {_option_name(field)} is given twice")
        if field.endswith("_ms"):
            if not _INTEGER_RE.fullmatch(value):
                raise HandCueError(
                    f"--map {text!r}: {_option_name(field)} must be {_allowed(field)}, "
                    f"not {value!r}"
                )
            fields[field] = int(value)
        else:
            fields[field] = value
    return fields


def parse_map(text: str) -> Binding:
    """``GESTURE=ACTION`` or ``GESTURE[OPTION=VALUE,...]=ACTION`` -> a validated Binding.

    Options: ``trigger``, ``hand``, ``hold``, ``cooldown``, ``repeat`` (or the settings-file
    names ``hold_ms``, ``cooldown_ms``, ``repeat_ms``); unset ones keep the Binding defaults.
    The Binding model checks every value, so the limits are those of the settings file.
    Raises HandCueError (exit code 2) naming the --map text and what is allowed.
    """
    gesture, options, action = _split_map(text)
    fields = {} if options is None else _parse_map_options(text, options)
    try:
        return Binding(gesture=gesture, action=action, **fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = error["loc"][0] if error["loc"] else None
        if field in fields:
            raise HandCueError(
                f"--map {text!r}: {_option_name(field)} must be {_allowed(field)}, "
                f"not {fields[field]!r}"
            ) from None
        message = error["msg"].removeprefix("Value error, ")
        if options is not None:  # the model's checks across fields use settings-file names
            message = re.sub(r"\b(hold|cooldown|repeat)_ms\b", r"\1", message)
        if options is None and re.search(r",\s*(" + "|".join(MAP_OPTIONS) + r")\s*=", action):
            message += (
                f"; options go in [...] after the gesture: {gesture}[OPTION=VALUE,...]=ACTION"
            )
        raise HandCueError(f"--map {text!r}: {message}") from None
