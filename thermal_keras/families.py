"""The model families, each registered once: what presets, deploy, export, evaluate and the CLI need.

A :class:`Family` names, for one value of ``preset.json``'s ``family`` (and of ``thermal-keras train
MODEL``): its config class, its deploy contract (``translator``, ``sr`` or ``fusion``: the uint8-in
signature of :mod:`thermal_keras.deploy.contracts`), how a preset of it is quick-checked, checked on
real data and scored on a user's folder, how its report is printed and packaged, and the rows its
score tables hold. Code elsewhere calls :func:`family` instead of switching on the name::

    from thermal_keras.families import family
    family("srgan").contract            # "sr"
    family("cyclegan").load("quick_check")(preset)

Functions are given as ``"module:attribute"`` and imported on first use (:meth:`Family.load`), so
this module imports nothing from the package and importing it loads no TensorFlow. Adding a family
is one :func:`register` call here and its own folder.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

CONTRACTS = ("translator", "sr", "fusion")  # the deploy contracts (thermal_keras.deploy.contracts)


class UnknownFamilyError(ValueError):
    """A family name no :class:`Family` is registered for; the message names it and the known ones."""


@dataclass(frozen=True)
class Family:
    """One model family.

    ``name``: as in ``preset.json`` and ``thermal-keras train NAME``; ``label``: how reports print it;
    ``contract``: one of :data:`CONTRACTS`; ``config``: its :class:`~thermal_keras.config.RunConfig`
    subclass; ``unit_input``: the generator takes ``[0, 1]`` (else ``[-1, 1]``); ``report_rows``: the
    rows of its score tables (model first, then the baselines); ``preset_fields``: the keys a preset of it
    records beside ``run_config`` (from the run config; ``channels``: the generator's input channels). The rest are functions (``"module:attribute"``):

    * ``quick_check(preset) -> report`` on held-out synthetic data (seconds on a CPU);
    * ``real_check(preset, root) -> report | None`` on a TNO-style folder (``None``: not applicable);
    * ``evaluate_on(preset, data, layout, split) -> report`` on a user's folder;
    * ``format_report(report) -> str`` the table the family's commands print;
    * ``package_metrics(report) -> (metrics, headline)`` from a training run's ``metrics.json``.
    """

    name: str
    label: str
    contract: str
    config: str
    quick_check: str
    evaluate_on: str
    format_report: str
    package_metrics: str
    report_rows: tuple[str, ...]
    real_check: str | None = None
    unit_input: bool = False
    preset_fields: tuple[str, ...] = ("image_size",)

    def load(self, what: str):
        """The object a ``"module:attribute"`` field names (``None`` for an empty field)."""
        target = getattr(self, what)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        return getattr(importlib.import_module(module), attribute)

    @property
    def config_class(self):
        return self.load("config")

    @property
    def translator(self) -> bool:
        """Whether it maps RGB photos to thermal images (``thermal-keras translate``)."""
        return self.contract == "translator"


_REGISTRY: dict[str, Family] = {}


def register(entry: Family) -> Family:
    """Add ``entry``; a ``ValueError`` for a name taken or a contract not in :data:`CONTRACTS`."""
    if entry.name in _REGISTRY:
        raise ValueError(f"family {entry.name!r} is registered already")
    if entry.contract not in CONTRACTS:
        raise ValueError(f"family {entry.name!r}: contract {entry.contract!r} is not one of {', '.join(CONTRACTS)}")
    _REGISTRY[entry.name] = entry
    return entry


def names() -> tuple[str, ...]:
    """The registered family names, in registration order."""
    return tuple(_REGISTRY)


def family(name: str) -> Family:
    """The registered family ``name``; :class:`UnknownFamilyError` (one line, naming it and the
    known families) otherwise."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownFamilyError(f"unknown family {name!r}; known families: {', '.join(_REGISTRY)}") from None


def with_contract(contract: str) -> tuple[str, ...]:
    """The names of the families whose deploy contract is ``contract``."""
    return tuple(name for name, entry in _REGISTRY.items() if entry.contract == contract)


_CHECKS = "thermal_keras.presets.checks"
_EVALUATE = "thermal_keras.presets.evaluate"
_PACKAGING = "thermal_keras.presets.packaging"
_TRANSLATION = dict(contract="translator", evaluate_on=f"{_EVALUATE}:translation_on",
                    quick_check=f"{_CHECKS}:translation_check",
                    format_report="thermal_keras.translation.evaluate:format_report",
                    package_metrics=f"{_PACKAGING}:translation_metrics",
                    report_rows=("model", "grey_baseline", "mean_baseline"))
_FUSION = dict(contract="fusion", evaluate_on=f"{_EVALUATE}:fusion_on", real_check=f"{_CHECKS}:fusion_real_check",
               format_report=f"{_EVALUATE}:format_fusion_report", package_metrics=f"{_PACKAGING}:fusion_metrics")

register(Family("pix2pix", "pix2pix", config="thermal_keras.pix2pix.config:Pix2PixConfig", **_TRANSLATION))
register(Family("cyclegan", "CycleGAN", config="thermal_keras.cyclegan.config:CycleGANConfig", **_TRANSLATION))
register(Family("srgan", "SRGAN", "sr", config="thermal_keras.sr.config:SRGANConfig",
                quick_check=f"{_CHECKS}:sr_check", real_check=f"{_CHECKS}:sr_tno_check",
                evaluate_on=f"{_EVALUATE}:sr_on", format_report=f"{_EVALUATE}:format_sr_report",
                package_metrics=f"{_PACKAGING}:sr_metrics", report_rows=("model", "bicubic"),
                unit_input=True, preset_fields=("scale", "channels")))
register(Family("fusiongan", "FusionGAN", config="thermal_keras.fusion.config:FusionGANConfig",
                quick_check=f"{_CHECKS}:fusion_check", report_rows=("fusiongan", "average", "pyramid"), **_FUSION))
register(Family("stdfusionnet", "STDFusionNet", config="thermal_keras.fusion.config:STDFusionNetConfig",
                quick_check=f"{_CHECKS}:stdfusionnet_check", report_rows=("stdfusionnet", "average", "pyramid"),
                **_FUSION))
