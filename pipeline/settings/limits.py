"""A setting's limits as the schema writes them (a field's ``ge``/``le``, a ``Literal``'s
choices), for checks made outside the settings file: the tracker's run configuration and
command-line options check their values with the schema's own numbers, and the app's settings
controls take their ranges from them (:mod:`app.gui.schema_fields`), so a limit is changed in
one place (:mod:`pipeline.settings.schema`).

Pure functions of the pydantic model classes; any thread.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel


def field_range(model: type[BaseModel], name: str) -> tuple[Any, Any, bool, bool] | None:
    """``(low, high, low_open, high_open)`` of ``model.name``: its bounds (``ge``/``gt`` and
    ``le``/``lt``) and whether each is exclusive, or None for a field without both."""
    low = high = None
    low_open = high_open = False
    for item in model.model_fields[name].metadata:
        if getattr(item, "ge", None) is not None:
            low, low_open = item.ge, False
        elif getattr(item, "gt", None) is not None:
            low, low_open = item.gt, True
        if getattr(item, "le", None) is not None:
            high, high_open = item.le, False
        elif getattr(item, "lt", None) is not None:
            high, high_open = item.lt, True
    return None if low is None or high is None else (low, high, low_open, high_open)


def field_bounds(model: type[BaseModel], name: str) -> tuple[Any, Any] | None:
    """``(low, high)`` of ``model.name``, both inclusive (its ``ge`` and ``le``), or None for a
    field without both."""
    found = field_range(model, name)
    if found is None or found[2] or found[3]:
        return None
    return found[0], found[1]


def field_choices(model: type[BaseModel], name: str) -> tuple[Any, ...] | None:
    """The values ``model.name`` may take when its type is a ``Literal``, else None."""
    annotation = model.model_fields[name].annotation
    return get_args(annotation) if get_origin(annotation) is Literal else None


def setting_problem(
    model: type[BaseModel], name: str, value: Any, label: str | None = None
) -> str | None:
    """Why ``value`` is outside the range or the choices of ``model.name``, in words naming
    ``label`` (default: the field's name), or None when it is inside (or the field has
    neither). E.g. ``"max_hands must be between 1 and 4, got 9"``."""
    label = name if label is None else label
    bounds = field_bounds(model, name)
    if bounds is not None:
        low, high = bounds
        if not low <= value <= high:
            return f"{label} must be between {low:g} and {high:g}, got {value}"
    choices = field_choices(model, name)
    if choices is not None and value not in choices:
        words = [repr(c) for c in choices]
        either = " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)
        return f"{label} must be {either}, got {value!r}"
    return None
