"""Score reports (``metrics.json``, ``evaluate --json``) as strict JSON, written atomically."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from data_loaders.files import atomic_write_text

NON_FINITE_KEY = "non_finite"
_NON_FINITE_NAMES = {math.inf: "inf", -math.inf: "-inf"}


def _finite_or_null(value, where: str, found: dict):
    """``value`` with every non-finite float (Python or NumPy) replaced by ``None``, recursively
    through dicts, lists and tuples; each replaced one is recorded in ``found[where] = "inf"`` etc."""
    if isinstance(value, dict):
        return {key: _finite_or_null(item, f"{where}.{key}" if where else str(key), found)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_null(item, f"{where}[{i}]", found) for i, item in enumerate(value)]
    if isinstance(value, (float, np.floating)):
        if math.isfinite(value):
            return float(value)
        found[where] = _NON_FINITE_NAMES.get(float(value), "nan")
        return None
    return value


def report_json(report: dict) -> str:
    """A score report (``metrics.json``, ``evaluate --json``) as strict JSON text (RFC 8259) + newline.

    JSON has no infinity or NaN (Python would write the bare tokens ``Infinity`` / ``NaN``, which
    strict parsers refuse), and scores can be non-finite: PSNR of a perfect prediction, e.g. the mean
    image of constant targets, is +inf. Such a number is written as ``null`` and named under the
    top-level key ``"non_finite"``, e.g. ``{"mean_baseline.psnr": "inf"}`` (dotted keys, ``[i]`` for
    list items; values ``"inf"``, ``"-inf"`` or ``"nan"``); the key is absent when every number is
    finite. NumPy floats are written as plain numbers.
    """
    if not isinstance(report, dict) or NON_FINITE_KEY in report:
        raise ValueError(f"report_json needs a dict without a {NON_FINITE_KEY!r} key")
    found: dict = {}
    clean = _finite_or_null(report, "", found)
    if found:
        clean[NON_FINITE_KEY] = found
    return json.dumps(clean, indent=2, allow_nan=False) + "\n"


def write_report_json(path, report: dict) -> Path:
    """Write ``report`` atomically as strict JSON (:func:`report_json`); returns ``path``."""
    return atomic_write_text(path, report_json(report))
