"""The models each tab offers, what each was trained on, and loading them once, on first use.

A tab's choices are the shipped presets of its family (``thermal_keras/presets``) and, on the
RGB -> thermal tab, models given on the command line (``thermal-keras app --model PATH``). A request
names a model by its id (a preset name, or ``model-1``, ``model-2`` ... for the command line's);
any other id is refused, so no request can make the demo read a path of its choosing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from data_loaders.common import one_line
from thermal_keras.app.uploads import InputError
from thermal_keras.families import with_contract

# Each tab's preset families, from the registry (in its order: pix2pix before CycleGAN, FusionGAN before STDFusionNet).
TASK_FAMILIES = {"translate": with_contract("translator"), "sr": with_contract("sr"), "fusion": with_contract("fusion")}
SR_AUTO = "auto"  # the SR tab's default: the grey preset for grey images, the RGB one for colour


@dataclass(frozen=True)
class Choice:
    """One model a tab offers: ``id`` (what a request sends), ``label`` (what the tab shows), ``source``
    (a preset folder or the command line's path), ``trained_on`` (one line from the model card)."""

    id: str
    label: str
    task: str
    source: Path
    trained_on: str
    preset: bool
    channels: int | None = None  # input channels where preset.json says (1: grey, 3: RGB)
    family: str | None = None  # the preset's model family (preset.json); None for the command line's models


def trained_on_line(preset_dir) -> str:
    """The model card's ``- Data:`` line (what the model was trained on), else ``preset.json``'s."""
    from thermal_keras.presets import CARD_FILE, read_info

    card = Path(preset_dir) / CARD_FILE
    if card.is_file():
        for line in card.read_text(encoding="utf-8").splitlines():
            if line.startswith("- Data: "):  # the training part only: "...; held out: ..." is dropped
                return "Trained on " + line[len("- Data: "):].split("; held out")[0].strip()
    data = read_info(preset_dir).get("training", {}).get("data")
    return f"Trained on {data}" if data else "What this preset was trained on is not recorded in its card"


def preset_choices(task: str) -> list[Choice]:
    """The shipped presets whose family serves ``task``, as :class:`Choice`\\ s (sorted by name)."""
    from thermal_keras.presets import PRESET_ROOT, preset_names, read_info

    choices = []
    for name in preset_names():
        path = PRESET_ROOT / name
        info = read_info(path)
        if info["family"] in TASK_FAMILIES[task]:
            choices.append(Choice(id=name, label=f"{name} ({info['task']})", task=task, source=path,
                                  trained_on=trained_on_line(path), preset=True,
                                  channels=(info.get("input_shape") or [None])[-1], family=info["family"]))
    families = TASK_FAMILIES[task]
    return sorted(choices, key=lambda c: (families.index(read_info(c.source)["family"]), c.id))


def user_choice(number: int, path) -> Choice:
    """An RGB -> thermal model given on the command line: checked to exist, loaded on first use."""
    from thermal_keras.presets import is_preset_dir

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"--model {path}: no such file or folder (give an exported SavedModel folder, "
                                f"a .keras file, a run folder or a preset folder)")
    if is_preset_dir(path):
        trained_on = trained_on_line(path)
    else:
        trained_on = (f"Your model {path}: it carries no model card, so what it was trained on is not "
                      f"known to the demo")
    return Choice(id=f"model-{number}", label=f"your model: {path}", task="translate", source=path,
                  trained_on=trained_on, preset=False)


class ModelLoadError(RuntimeError):
    """A model the demo offers but cannot load (a damaged file, a model of the wrong kind); the
    message names the model and its path. The demo shows it as its own failure and keeps serving."""


class ModelRegistry:
    """The choices of every tab and their loaded models, each loaded once and kept.

    ``get(task, id)`` returns the runnable model: a :class:`~thermal_keras.export.ThermalTranslator`
    (translate), a :class:`~thermal_keras.sr.inference.Upscaler` (sr) or the fusion generator, FusionGAN
    or STDFusionNet (fusion). ``lock`` serialises model runs: the demo computes one request at a time,
    so a burst of requests queues instead of multiplying memory.
    """

    def __init__(self, user_models=(), sr_tile: int = 256):
        self.sr_tile = sr_tile
        self.choices = {task: preset_choices(task) for task in TASK_FAMILIES}
        self.choices["translate"] += [user_choice(i + 1, path) for i, path in enumerate(user_models)]
        self.lock = threading.RLock()
        self._loaded: dict[tuple[str, str], object] = {}

    def choice(self, task: str, model_id: str) -> Choice:
        """The :class:`Choice` of ``task`` called ``model_id``; an :class:`InputError` listing the offered ones."""
        for choice in self.choices[task]:
            if choice.id == model_id:
                return choice
        offered = ", ".join(c.id for c in self.choices[task]) or "none"
        raise InputError(f"model {model_id!r} is not offered on this tab; choose one of: {offered}")

    def get(self, task: str, model_id: str):
        """The loaded model of ``choice(task, model_id)``, loading it on the first call."""
        choice = self.choice(task, model_id)
        with self.lock:
            key = (task, choice.id)
            if key not in self._loaded:
                try:
                    self._loaded[key] = self._load(choice)
                except (ValueError, OSError) as error:  # the loaders' one-line errors name the file
                    message = one_line(error, 400)
                    raise ModelLoadError(f"model {choice.id} ({choice.source}) cannot be loaded: {message}") from None
            return self._loaded[key]

    def loaded(self) -> list[str]:
        """Ids of the models loaded so far (``task:id``)."""
        return [f"{task}:{model_id}" for task, model_id in self._loaded]

    def _load(self, choice: Choice):
        if choice.task == "translate":
            from thermal_keras.export import ThermalTranslator

            return ThermalTranslator(choice.source)
        if choice.task == "sr":
            from thermal_keras.sr.inference import Upscaler

            return Upscaler(choice.source, tile=self.sr_tile)
        from thermal_keras.presets import load_preset

        return load_preset(choice.source).generator
