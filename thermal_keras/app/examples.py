"""Bundled examples: synthetic scenes made when the demo is built, by :mod:`data_loaders.synthetic`.

No file ships: a day and a night street scene (seed 2026, scenes 0 and 4) are rendered (under a
second) and written as PNGs (:func:`write_examples`) that each tab lists with ``gr.Examples``, so an
example runs exactly as an upload does:

* translate: the RGB photo at 128×128;
* sr: a 64×64 low-resolution frame, the 256×256 rendering reduced 4× (bicubic) — the colour photo
  of the day scene and the 8-bit thermal frame of the night scene;
* fusion: the registered visible photo and 8-bit (AGC) infrared frame at 128×128.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import numpy as np

from data_loaders.files import atomic_write_bytes
from thermal_keras.app.uploads import InputError

SEED = 2026
SCENES = {"day": 0, "night": 4}  # scene numbers of generate_pairs(seed=SEED) that are day and night
SIZE = 128
SR_SCALE = 4
_lock = threading.Lock()

# tab -> [(example id, label, (picture of each of the tab's file inputs, in order))]
EXAMPLES = {
    "translate": [("day", "day street (synthetic, 128×128)", ("rgb",)),
                  ("night", "night street (synthetic, 128×128)", ("rgb",))],
    "sr": [("day", "day street, colour (synthetic, 64×64)", ("lr_rgb",)),
           ("night", "night street, thermal grey (synthetic, 64×64)", ("lr_thermal",))],
    "fusion": [("night", "night street: people dark in the visible photo (synthetic, 128×128)", ("rgb", "thermal")),
               ("day", "day street (synthetic, 128×128)", ("rgb", "thermal"))],
}


@functools.lru_cache(maxsize=None)
def _scene(name: str) -> dict[str, np.ndarray]:
    from PIL import Image

    from data_loaders.synthetic import generate_pairs

    number = SCENES[name]
    small = generate_pairs(1, size=SIZE, seed=SEED, start=number)
    large = generate_pairs(1, size=SIZE * 2, seed=SEED, start=number)  # reduced to 64×64 for SR
    lr_side = SIZE * 2 // SR_SCALE

    def reduce(array):
        return np.asarray(Image.fromarray(array).resize((lr_side, lr_side), Image.Resampling.BICUBIC))

    return {"rgb": small["rgb"][0], "thermal": small["thermal_u8"][0, ..., 0],
            "lr_rgb": reduce(large["rgb"][0]), "lr_thermal": reduce(large["thermal_u8"][0, ..., 0])}


def example_png(example_id: str, picture: str) -> bytes:
    """PNG bytes of one example picture; an :class:`InputError` for names not in :data:`EXAMPLES`."""
    from thermal_keras.app.pictures import png_bytes

    pictures = {p for entries in EXAMPLES.values() for e, _, files in entries if e == example_id for p in files}
    if example_id not in SCENES or picture not in pictures:
        raise InputError(f"no example {example_id}/{picture}")
    with _lock:
        return png_bytes(_scene(example_id)[picture])


def write_examples(folder) -> dict[str, list[tuple[str, list[str]]]]:
    """Every example picture as a PNG in ``folder`` (``example-<id>-<picture>.png``, written under a
    temporary name and renamed, so concurrent demos never read half a file); returns ``{tab: [(label,
    [path of each file input])]}`` for ``gr.Examples``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[tuple[str, str], str] = {}
    for entries in EXAMPLES.values():
        for example_id, _, files in entries:
            for picture in files:
                path = folder / f"example-{example_id}-{picture}.png"
                if (example_id, picture) not in written:
                    data = example_png(example_id, picture)
                    if not path.is_file() or path.read_bytes() != data:
                        atomic_write_bytes(path, data)
                    written[(example_id, picture)] = str(path)
    return {tab: [(label, [written[(example_id, p)] for p in files]) for example_id, label, files in entries]
            for tab, entries in EXAMPLES.items()}
