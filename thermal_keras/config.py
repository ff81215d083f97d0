"""``RunConfig``: the one definition of a training run's options, for code, JSON files and the CLI.

Each family's config (``Pix2PixConfig``, ``CycleGANConfig``, ``SRGANConfig``, ``FusionGANConfig``)
is a dataclass that subclasses :class:`RunConfig` (or :class:`PairedDataConfig`, which adds the
options of paired image data) and adds only its own fields. Every field is made by :func:`option`,
which carries its help text, its choices and its range; from that one definition:

* ``config.check()`` (run on construction) rejects a wrong type or an out-of-range value, naming
  the option: ``{"flip": "false"}`` is an error, not a truthy string;
* ``to_json``/``from_json`` round-trip a config (unknown names are errors);
* ``add_arguments(parser)`` makes one ``--flag`` per field and ``from_args(args)`` reads them back,
  on top of an optional ``--config FILE``.

Nothing here imports TensorFlow, so building the command line is fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from data_loaders.files import atomic_write_text

PRECISION_SETTINGS = ("auto", "float32", "mixed_float16", "mixed_bfloat16", "on", "off")
JIT_SETTINGS = ("auto", "on", "off")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
_TYPES = {"int": int, "float": float, "str": str, "bool": bool}


class ConfigError(ValueError):
    """An option with a wrong type or value, or a config file that cannot be read."""


def option(default, help_text: str, *, choices=None, minimum=None, maximum=None):
    """A config field: its default, help text and, optionally, allowed ``choices`` or a
    ``[minimum, maximum]`` range (either end may be omitted)."""
    metadata = {"help": help_text, "choices": choices, "minimum": minimum, "maximum": maximum}
    return field(default=default, metadata=metadata)


def override(base, name: str, default, help_text: str | None = None):
    """Field ``name`` of config class ``base`` with another default (and help text, if given); its
    type, choices and range stay those of ``base``."""
    inherited = {f.name: f for f in dataclasses.fields(base)}[name]
    metadata = {**inherited.metadata, **({"help": help_text} if help_text else {})}
    return field(default=default, metadata=metadata)


def _field_type(f) -> type:
    return _TYPES[f.type] if isinstance(f.type, str) else f.type


def _checked_value(f, value):
    """``value`` for field ``f`` (ints accepted for floats), or a ``ConfigError`` naming the option."""
    kind, name = _field_type(f), f.name
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is float and is_number:
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(f"option {name}: must be a finite number, got {value!r}")
    elif kind is int and not (isinstance(value, int) and not isinstance(value, bool)):
        raise ConfigError(f"option {name}: must be a whole number, got {value!r}")
    elif kind is not float and not isinstance(value, kind) or kind is float and not is_number:
        raise ConfigError(f"option {name}: must be {kind.__name__}, got {value!r}")
    meta = f.metadata
    if meta.get("choices") is not None and value not in meta["choices"]:
        raise ConfigError(f"option {name}: {value!r} is not one of {', '.join(map(str, meta['choices']))}")
    if meta.get("minimum") is not None and value < meta["minimum"]:
        raise ConfigError(f"option {name}: must be >= {meta['minimum']}, got {value!r}")
    if meta.get("maximum") is not None and value > meta["maximum"]:
        raise ConfigError(f"option {name}: must be <= {meta['maximum']}, got {value!r}")
    return value


@dataclass
class RunConfig:
    """Options every training run has: seed, batch, precision, devices and the run folder."""

    seed: int = option(0, "seed for weights, data order and augmentation", minimum=0)
    batch_size: int = option(1, "global batch size (split across replicas under a strategy)", minimum=1)
    steps_per_epoch: int = option(0, "steps per epoch (0: one pass over the training data)", minimum=0)
    mixed_precision: str = option(
        "auto", "compute dtype policy: auto (mixed_float16 on a GPU, mixed_bfloat16 on a TPU, float32 on a "
        "CPU), float32, mixed_float16, mixed_bfloat16; on/off mean mixed_float16/float32",
        choices=PRECISION_SETTINGS)
    jit_compile: str = option("auto", "XLA: auto (on with one GPU, off under a multi-replica strategy), on, off",
                              choices=JIT_SETTINGS)
    strategy: str = option(
        "default", "tf.distribute strategy: default (one device), mirrored (all local GPUs; all logical CPUs "
        "without a GPU), multi_worker (machines listed in TF_CONFIG), tpu; batch_size is the global batch, "
        "split across replicas", choices=STRATEGIES)
    tpu: str = option("", "TPU for --strategy tpu: '' (TPU_NAME or the runtime's default), 'local' (TPU VM) "
                      "or grpc://host:port")
    output_dir: str = option("results/run", "run folder: config, checkpoints, logs, generator.keras, metrics")
    checkpoint_every: int = option(1, "epochs between full-state checkpoints", minimum=1)
    resume: bool = option(True, "continue from the last checkpoint in output_dir if there is one")
    init_from: str = option("", "fine-tune: start the generator from a preset name, a preset folder, a .keras "
                                "file or a run folder ('' trains from scratch; a resumed run keeps its checkpoint)")
    freeze: str = option("", "generator layers kept frozen, by name prefix, comma-separated (e.g. 'down' for a "
                             "U-Net's encoder; frozen batch norms use their moving statistics); '' trains all")

    def __post_init__(self):
        self.check()

    def check(self):
        """Type- and range-check every field (``ConfigError`` naming the first bad one)."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, _checked_value(f, getattr(self, f.name)))

    @property
    def total_epochs(self) -> int:
        """Epochs of the whole run (families with a decay phase add it)."""
        return getattr(self, "epochs", 1) + getattr(self, "decay_epochs", 0)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self, path=None) -> str:
        """The config as JSON text; with ``path`` also written there (temporary name, then renamed)."""
        text = json.dumps(self.to_dict(), indent=2) + "\n"
        if path is not None:
            atomic_write_text(path, text)
        return text

    @classmethod
    def from_dict(cls, values: dict, source: str = "config"):
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: expected a JSON object of options, got {type(values).__name__}")
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"{source}: unknown options {sorted(unknown)} for {cls.__name__}")
        try:
            return cls(**values)
        except ConfigError as error:
            raise ConfigError(f"{source}: {error}") from None

    @classmethod
    def from_json(cls, path_or_text):
        """A config from a JSON file or JSON text; errors name the file and the option."""
        text, source = str(path_or_text), "config text"
        if not text.lstrip().startswith("{"):
            path, source = Path(text), text
            try:
                text = path.read_text()
            except OSError as error:
                raise ConfigError(f"{path}: cannot read config file ({error.strerror or error})") from None
        try:
            values = json.loads(text)
        except ValueError as error:
            raise ConfigError(f"{source}: not valid JSON ({error})") from None
        return cls.from_dict(values, source)

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser):
        """Add one ``--flag`` per field (defaults come from the dataclass) and ``--config FILE``."""
        for f in dataclasses.fields(cls):
            flag = "--" + f.name.replace("_", "-")
            kwargs = {"help": f"{f.metadata.get('help', '')} (default: {f.default})", "default": None}
            if _field_type(f) is bool:
                parser.add_argument(flag, action=argparse.BooleanOptionalAction, **kwargs)
            else:
                parser.add_argument(flag, type=_field_type(f), choices=f.metadata.get("choices"), **kwargs)
        parser.add_argument("--config", help="JSON config file; flags given on the command line override it")

    @classmethod
    def from_recipe(cls, recipe: str = "", **overrides):
        """The defaults, with the named recipe's settings (``cls.RECIPES[recipe]``) and then
        ``overrides`` on top; ``recipe=""`` is the plain defaults."""
        recipes = getattr(cls, "RECIPES", {})
        if recipe and recipe not in recipes:
            raise ConfigError(f"option recipe: {recipe!r} is not one of {', '.join(recipes) or 'no recipes'}")
        return cls(**{**recipes.get(recipe, {}), **({"recipe": recipe} if recipe else {}), **overrides})

    @classmethod
    def from_args(cls, args: argparse.Namespace, **overrides):
        """Config from a JSON file (``--config``) or the defaults with ``--recipe``'s settings, then
        explicit flags and ``overrides``."""
        values = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls)
                  if getattr(args, f.name, None) is not None}
        values.update(overrides)
        if getattr(args, "config", None):
            return dataclasses.replace(cls.from_json(args.config), **values)
        return cls.from_recipe(values.pop("recipe", ""), **values)


@dataclass
class PairedDataConfig(RunConfig):
    """Options of a run on registered image pairs (pix2pix, CycleGAN, FusionGAN): the dataset, the
    built-in synthetic set's size, crops and flips, epochs and Adam's settings."""

    data: str = option("synthetic", "'synthetic' (the built-in set, generated on first use) or a dataset folder")
    layout: str = option("flir_v1", "dataset layout of --data (kaist: splits train, test or a set name; "
                         "roadscene: train, test (held-out runs of frames) or all)",
                         choices=("paired", "llvip", "flir_v1", "flir_v2", "kaist", "roadscene"))
    train_split: str = option("train", "split used for training")
    eval_split: str = option("test", "held-out split scored after training ('' to skip)")
    synthetic_train: int = option(400, "synthetic set: training pairs", minimum=1)
    synthetic_test: int = option(64, "synthetic set: held-out pairs", minimum=1)
    synthetic_size: int = option(0, "synthetic set: rendered image side (0: load_size or image_size)", minimum=0)
    synthetic_view: str = option("mixed", "synthetic set: camera set-up ('mixed': street-level and elevated "
                                 "cameras; 'driving': a car's forward camera, as FLIR ADAS / RoadScene)",
                                 choices=("mixed", "driving"))
    image_size: int = option(256, "training crop side in pixels", minimum=8)
    load_size: int = option(286, "resize side before the random crop (0: no resize, crop from the file)", minimum=0)
    keep_aspect: bool = option(False, "resize the shorter side to load_size (held-out frames: to image_size, then "
                               "the centre square) instead of squashing frames to a square; for wide camera frames")
    flip: bool = option(True, "random horizontal flips")
    epochs: int = option(100, "epochs (at the initial learning rate, where the family decays it)", minimum=0)
    lr: float = option(2e-4, "initial Adam learning rate for both networks", minimum=0.0)
    beta_1: float = option(0.5, "Adam beta_1", minimum=0.0, maximum=1.0)

    def check(self):
        super().check()
        if self.load_size and self.load_size < self.image_size:
            raise ConfigError(f"option load_size: {self.load_size} is smaller than image_size {self.image_size} "
                              "(0 crops from the file without resizing)")
