"""Lazy package exports: ``from thermal_keras.pix2pix import train_pix2pix`` imports the module that
defines it (and TensorFlow) only then, so importing a family's config stays fast."""

from __future__ import annotations

import importlib


def lazy_exports(package: str, names: dict[str, str]):
    """``(__getattr__, __dir__)`` for ``package``: ``names`` maps an exported name to the submodule
    (relative to ``package``) that defines it."""

    def __getattr__(name):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{names[name]}"), name)

    def __dir__():
        return sorted(names)

    return __getattr__, __dir__
