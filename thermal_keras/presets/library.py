"""The preset library: list, load (SHA-256 checked), write, and ``--init-from``'s weights source.

Re-exported by :mod:`thermal_keras.presets` (the package's docstring describes a preset folder); this
module holds the code so that the modules below it (export, features, training, the families) can load
a preset without importing the package's scoring modules.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from thermal_keras.families import names

PRESET_ROOT = Path(__file__).resolve().parent  # the preset folders sit beside this module
PRESET_FILE = "preset.json"
WEIGHTS_FILE = "weights.npz"
CARD_FILE = "MODEL_CARD.md"
FAMILIES = names()  # every registered family (thermal_keras.families)


class PresetError(ValueError):
    """A preset that is unknown, incomplete or damaged; the message names the preset or its file."""


@dataclass
class Preset:
    """A loaded preset: its ``generator`` (float32 ``keras.Model``) and what ``preset.json`` says.

    ``info`` is the parsed ``preset.json``; ``target_spec`` the :class:`~data_loaders.ImageSpec` of the
    generator's output files (``None`` for 8-bit outputs); ``path`` the preset folder.
    """

    name: str
    path: Path
    info: dict
    generator: object = field(repr=False)
    target_spec: object = None

    @property
    def family(self) -> str:
        return self.info["family"]

    @property
    def card(self) -> str:
        """The model card's text (Markdown)."""
        return (self.path / CARD_FILE).read_text(encoding="utf-8")


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def preset_names(root=PRESET_ROOT) -> list[str]:
    """Names of the preset folders under ``root`` (those with a ``preset.json``), sorted."""
    return sorted(p.name for p in Path(root).iterdir() if (p / PRESET_FILE).is_file())


def is_preset_dir(path) -> bool:
    return Path(path).is_dir() and (Path(path) / PRESET_FILE).is_file() and (Path(path) / WEIGHTS_FILE).is_file()


def preset_path(name_or_path, root=PRESET_ROOT) -> Path:
    """The folder of a shipped preset by name, or a preset folder given by path; else :class:`PresetError`."""
    candidate = Path(str(name_or_path))
    if is_preset_dir(candidate):
        return candidate
    if "/" not in str(name_or_path) and is_preset_dir(Path(root) / str(name_or_path)):
        return Path(root) / str(name_or_path)
    for folder in (candidate, *([Path(root) / str(name_or_path)] if "/" not in str(name_or_path) else [])):
        if folder.is_dir() and (folder / PRESET_FILE).is_file():  # a preset folder with a file missing
            raise PresetError(f"{folder / WEIGHTS_FILE}: missing; a preset folder holds {PRESET_FILE} and "
                              f"{WEIGHTS_FILE} (copy the whole folder)")
    raise PresetError(f"unknown preset {str(name_or_path)!r}; shipped presets: "
                      f"{', '.join(preset_names(root)) or 'none'} (`thermal-keras presets` lists them)")


def read_info(path) -> dict:
    """A preset folder's ``preset.json``, checked for the fields loading needs."""
    file = Path(path) / PRESET_FILE
    try:
        info = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PresetError(f"{file}: cannot read the preset description ({error})") from None
    missing = [k for k in ("name", "family", "task", "architecture", "weights") if k not in info]
    if not isinstance(info, dict) or missing:
        raise PresetError(f"{file}: not a preset description (missing {', '.join(missing)})")
    if info["family"] not in FAMILIES:
        raise PresetError(f"{file}: unknown family {info['family']!r} (one of {', '.join(FAMILIES)})")
    return info


def list_presets(root=PRESET_ROOT) -> list[dict]:
    """One summary per shipped preset: name, family, task, size in MB, parameters and headline metric."""
    rows = []
    for name in preset_names(root):
        path = Path(root) / name
        info = read_info(path)
        rows.append({"name": name, "family": info["family"], "task": info["task"],
                     "size_mb": round((path / WEIGHTS_FILE).stat().st_size / 1e6, 2),
                     "parameters": info["weights"].get("parameters"),
                     "headline": info.get("headline", "")})
    return rows


def load_preset(name_or_path, root=PRESET_ROOT) -> Preset:
    """Load a preset by name (or a preset folder by path): weights checked against their SHA-256."""
    import keras
    import numpy as np

    from thermal_keras.model_files import check_finite_weights
    from thermal_keras.networks import register_saved_layers

    path = preset_path(name_or_path, root)
    info = read_info(path)
    weights_file = path / WEIGHTS_FILE
    expected = info["weights"].get("sha256")
    actual = sha256_of(weights_file)
    if actual != expected:
        raise PresetError(f"{weights_file}: SHA-256 {actual[:12]}… does not match preset.json "
                          f"({str(expected)[:12]}…): the weights are damaged or were replaced")
    register_saved_layers()
    try:
        generator = keras.models.model_from_json(json.dumps(info["architecture"]))
    except Exception as error:  # Keras raises several types for a bad architecture
        raise PresetError(f"{path / PRESET_FILE}: cannot build the generator ({error})") from None
    with np.load(weights_file) as stored:
        arrays = [stored[f"w{i:03d}"] for i in range(len(stored.files))]
    if len(arrays) != len(generator.weights):
        raise PresetError(f"{weights_file}: {len(arrays)} arrays for a generator with "
                          f"{len(generator.weights)} weights")
    try:
        generator.set_weights([a.astype(w.dtype) for a, w in zip(arrays, generator.weights)])
    except ValueError as error:
        raise PresetError(f"{weights_file}: weights do not fit the generator ({error})") from None
    check_finite_weights(generator.weights, weights_file)
    spec = None
    if info.get("target_spec"):
        from data_loaders.common import ImageSpec

        values = dict(info["target_spec"])
        if values.get("value_range") is not None:
            values["value_range"] = tuple(values["value_range"])
        spec = ImageSpec(**values)
    return Preset(name=info["name"], path=path, info=info, generator=generator, target_spec=spec)


def from_preset(name_or_path, root=PRESET_ROOT):
    """The preset's generator: a float32 ``keras.Model`` in inference use (``training=False``)."""
    return load_preset(name_or_path, root).generator


def write_preset(generator, out_dir, *, name: str, family: str, task: str, description: str,
                 target_spec=None, training: dict | None = None, metrics: dict | None = None,
                 headline: str = "", extra: dict | None = None, overwrite: bool = False) -> Path:
    """Write ``generator`` as the preset folder ``out_dir`` (weights as float16); returns the folder.

    The folder is built under a temporary name and renamed when complete. An existing folder is
    replaced only with ``overwrite`` and only when it is a preset folder (never another folder).
    """
    import dataclasses

    import numpy as np

    from data_loaders.files import atomic_dir
    from thermal_keras.presets.card import model_card

    if family not in FAMILIES:
        raise PresetError(f"family must be one of {FAMILIES}, got {family!r}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not (overwrite and (out_dir / PRESET_FILE).is_file()):
        raise PresetError(f"{out_dir}: exists (give --overwrite to replace an earlier preset there)")
    trainable = sum(int(np.prod(w.shape)) for w in generator.trainable_weights)
    arrays = [np.asarray(w, np.float16) for w in generator.get_weights()]
    spec = dataclasses.asdict(target_spec) if dataclasses.is_dataclass(target_spec) else target_spec
    with atomic_dir(out_dir) as tmp:
        np.savez(tmp / WEIGHTS_FILE, **{f"w{i:03d}": a for i, a in enumerate(arrays)})
        info = {"name": name, "family": family, "task": task, "description": description,
                "headline": headline, "input_shape": list(generator.input_shape[1:]),
                "output_shape": list(generator.output_shape[1:]), "target_spec": spec,
                "training": training or {}, "metrics": metrics or {}, **(extra or {}),
                "weights": {"file": WEIGHTS_FILE, "dtype": "float16", "parameters": trainable,
                            "sha256": sha256_of(tmp / WEIGHTS_FILE)},
                "architecture": json.loads(generator.to_json())}
        (tmp / PRESET_FILE).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        (tmp / CARD_FILE).write_text(model_card(info), encoding="utf-8")
    return out_dir


def weights_source(source) -> tuple:
    """``(generator, where)`` for ``--init-from``: a preset name or folder, a ``.keras`` file, or a run
    folder (its ``generator.keras``); a ``FileNotFoundError``/``ValueError`` naming it otherwise."""
    from thermal_keras.model_files import RUN_GENERATOR_FILE, load_keras_model

    path = Path(str(source))
    if is_preset_dir(path) or (not path.exists() and "/" not in str(source) and str(source) in preset_names()):
        preset = load_preset(source)
        return preset.generator, f"preset {preset.name}"
    if path.is_dir() and (path / RUN_GENERATOR_FILE).is_file():
        return load_keras_model(path / RUN_GENERATOR_FILE), str(path / RUN_GENERATOR_FILE)
    if path.is_file():
        return load_keras_model(path), str(path)
    raise FileNotFoundError(f"--init-from {source}: neither a preset ({', '.join(preset_names()) or 'none shipped'}) "
                            f"nor a .keras file or run folder")
