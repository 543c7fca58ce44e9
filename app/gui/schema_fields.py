"""Settings widgets made from the settings schema's own fields, so the limits, labels and help
of a setting are written once (in :mod:`pipeline.settings` / :mod:`pipeline.pointer.settings`)
and the dialogs cannot drift from what a settings file accepts.

A field's ``ge``/``le`` (or ``gt``/``lt``) give the widget's range, its ``title`` the form
label and its ``description`` the tooltip. GUI thread only.
"""

from __future__ import annotations

from pydantic import BaseModel
from PySide6.QtWidgets import QDoubleSpinBox, QSlider, QSpinBox, QWidget

from pipeline.settings import limits


def field_range(model: type[BaseModel], name: str) -> tuple[float, float, bool, bool]:
    """``(low, high, low_open, high_open)`` of ``model.name``
    (:func:`pipeline.settings.limits.field_range`); ValueError for a field without a range."""
    found = limits.field_range(model, name)
    if found is None:
        raise ValueError(f"{model.__name__}.{name} has no range in the schema")
    low, high, low_open, high_open = found
    return float(low), float(high), low_open, high_open


def field_title(model: type[BaseModel], name: str) -> str:
    """The form label of ``model.name`` (its schema ``title``)."""
    title = model.model_fields[name].title
    if not title:
        raise ValueError(f"{model.__name__}.{name} has no title in the schema")
    return title


def _describe(widget: QWidget, model: type[BaseModel], name: str) -> None:
    description = model.model_fields[name].description
    if description:
        widget.setToolTip(description)


def int_spin(
    model: type[BaseModel],
    name: str,
    value: int,
    *,
    step: int = 1,
    suffix: str = "",
    scale: int = 1,
) -> QSpinBox:
    """A spin box for an integer field, or for a fraction shown times ``scale`` (a percentage:
    ``scale=100``). Its range is the field's; an exclusive bound moves in by one step."""
    low, high, low_open, high_open = field_range(model, name)
    spin = QSpinBox()
    spin.setRange(
        round(low * scale) + (1 if low_open else 0), round(high * scale) - (1 if high_open else 0)
    )
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setValue(value)
    _describe(spin, model, name)
    return spin


def float_spin(
    model: type[BaseModel],
    name: str,
    value: float,
    *,
    step: float,
    decimals: int,
    suffix: str = "",
) -> QDoubleSpinBox:
    """A spin box for a float field; an exclusive bound moves in by the smallest step the box
    shows (``10 ** -decimals``)."""
    low, high, low_open, high_open = field_range(model, name)
    least = 10.0**-decimals
    spin = QDoubleSpinBox()
    spin.setDecimals(decimals)
    spin.setRange(low + (least if low_open else 0.0), high - (least if high_open else 0.0))
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setValue(value)
    _describe(spin, model, name)
    return spin


def fraction_slider(slider: QSlider, model: type[BaseModel], name: str, value: float) -> QSlider:
    """Set up ``slider`` for a fraction field shown in hundredths (0-100 for 0-1)."""
    low, high, _, _ = field_range(model, name)
    slider.setRange(round(low * 100), round(high * 100))
    slider.setValue(round(value * 100))
    _describe(slider, model, name)
    return slider
