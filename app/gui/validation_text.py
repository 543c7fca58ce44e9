"""Settings problems in the words the user sees on screen.

pydantic reports a problem at a path of field names (``pointer.pinch_off``) and cross-checks
name fields in their messages ("pinch_off (0.4) must be larger than pinch_on"); a check on a
whole model has an empty path, which printed as ": the message". :func:`on_screen` turns each
problem into a line with the form's labels (the fields' schema titles) instead.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping

from pydantic import BaseModel, ValidationError

#: The dialog's names for the settings file's sections.
SECTION_LABELS = {"tracker": "Tracking", "gestures": "Gestures", "actions": "Safety",
                  "pointer": "Pointer"}  # fmt: skip


def _label(model: type[BaseModel], name: str) -> str:
    title = model.model_fields[name].title
    return title or name.replace("_", " ").capitalize()


def _submodel(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    kind = model.model_fields[name].annotation
    return kind if inspect.isclass(kind) and issubclass(kind, BaseModel) else None


def _with_labels(message: str, model: type[BaseModel]) -> str:
    """``message`` with the field names of ``model`` it mentions replaced by their labels."""
    for name in sorted(model.model_fields, key=len, reverse=True):
        if model.model_fields[name].title:
            message = re.sub(rf"\b{re.escape(name)}\b", f"“{_label(model, name)}”", message)
    return message


def on_screen(
    exc: ValidationError,
    model: type[BaseModel],
    sections: Mapping[str, str] = SECTION_LABELS,
) -> str:
    """Every problem in ``exc`` (raised validating ``model``), one per line, as
    ``Where › Label: message`` with the labels of the form (``message`` alone for a check on
    the whole form)."""
    lines = []
    for error in exc.errors():
        where: list[str] = []
        current: type[BaseModel] | None = model
        for part in error["loc"]:
            if current is None or not isinstance(part, str) or part not in current.model_fields:
                current = None
                continue  # list indexes, union branches: the label before says enough
            outermost = current is model
            where.append(sections.get(part, "") if outermost and part in sections else
                         _label(current, part))  # fmt: skip
            current = _submodel(current, part)
        message = str(error["msg"]).removeprefix("Value error, ")
        if current is not None:
            message = _with_labels(message, current)
        where = [w for w in where if w]
        lines.append(
            f"{' › '.join(where)}: {message}" if where else message[:1].upper() + message[1:]
        )
    return "\n".join(lines)
