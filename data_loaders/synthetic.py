"""The built-in synthetic RGB/thermal set: seeded, pixel-registered pairs with ground-truth °C.

Each scene (see :mod:`data_loaders.scene`) is rendered twice:

* thermal, from physics: every pixel's apparent temperature is what an 8–14 µm radiometric camera
  sees, ``ε·L(T) + (1 − ε)·L(T_reflected)`` (Planck band radiance, reflected sky), with a little
  optical blur and 0.05 K sensor noise; stored as 16-bit T-linear counts (0.01 K a count) and as an
  8-bit AGC image (per-image percentile stretch, as camera video is);
* visible, from random object colours under day or night light, with lens vignetting: night RGB
  is dark and noisy while the thermal image is not, and people outside the street lamps' pools are
  hard to see in it.

``generate_pairs`` returns arrays; ``write_dataset`` writes them as a folder in the layout of a real
dataset (FLIR ADAS v1, paired A/B folders, or LLVIP) so the same loaders read both.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from data_loaders import physics
from data_loaders.common import DatasetError, ImageSpec
from data_loaders.files import atomic_dir, remove_stale_temporaries
from data_loaders.scene import MATERIALS, VIEWS, draw_scene

GENERATOR_VERSION = 2  # 2: weather and season cues, elevated views, trees, textures, vignetting
COUNT_RANGE = tuple(int(v) for v in physics.celsius_to_counts([-40.0, 70.0]))  # (23315, 34315)
THERMAL_U16_SPEC = ImageSpec(channels=1, bit_depth=16, value_range=COUNT_RANGE,
                             counts_per_kelvin=physics.COUNTS_PER_KELVIN)
_EMISSIVITY = np.array([physics.EMISSIVITY[m] for m in MATERIALS])
LAYOUTS = ("flir_v1", "paired", "llvip")


def generate_pairs(n: int, size: int = 64, seed: int = 0, start: int = 0,
                   view: str = "mixed") -> dict[str, np.ndarray]:
    """Render ``n`` registered RGB/thermal pairs.

    Scene ``i`` depends only on ``(seed, start + i, view)``, so ``generate_pairs(10, seed=s)[:5]``
    equals ``generate_pairs(5, seed=s)``. ``view``: ``"mixed"`` (street-level and elevated cameras) or
    ``"driving"`` (a car's forward camera, as FLIR ADAS / RoadScene frames); see :mod:`data_loaders.scene`.

    Returns a dict of arrays:
        ``rgb`` uint8 (n, size, size, 3); ``thermal_u8`` uint8 (n, size, size, 1), AGC video;
        ``thermal_u16`` uint16 (n, size, size, 1), counts = (apparent °C + 273.15) * 100;
        ``celsius`` float32 (n, size, size, 1), true surface temperature;
        ``material`` uint8 (n, size, size), index into ``scene.MATERIALS``; ``is_day`` bool (n,);
        ``air_c`` float32 (n,), the scene's air temperature; ``cloud`` float32 (n,), its cloud cover
        in [0, 1] (:mod:`data_loaders.weather`).
    """
    if n < 1 or size < 16:
        raise ValueError(f"need n >= 1 and size >= 16, got n={n}, size={size}")
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
    keys = ("rgb", "thermal_u8", "thermal_u16", "celsius", "material", "is_day", "air_c", "cloud")
    out = {k: [] for k in keys}
    for i in range(start, start + n):
        pair = render_pair(np.random.default_rng([seed, i]), size, view)
        for k in keys:
            out[k].append(pair[k])
    return {k: np.stack(v) for k, v in out.items()}


def render_pair(rng: np.random.Generator, size: int, view: str = "mixed") -> dict[str, np.ndarray]:
    """One scene rendered as RGB and thermal; shapes as in :func:`generate_pairs` without ``n``."""
    is_day = bool(rng.random() < 0.5)
    # Nights are cooler than days: the visible light level says something about the air temperature.
    air_c = float(rng.uniform(10.0, 30.0) if is_day else rng.uniform(-5.0, 15.0))
    canvas, scene = draw_scene(rng, size, is_day, air_c, view)
    apparent_c = _thermal_camera(rng, canvas, scene)
    counts = np.clip(physics.celsius_to_counts(apparent_c), *COUNT_RANGE).astype(np.uint16)
    driving = view == "driving"  # a dash camera's auto exposure and a driving thermal camera's plateau AGC
    agc = physics.agc_plateau_8bit if driving else physics.agc_8bit
    return {
        "rgb": _visible_camera(rng, canvas, is_day, scene["sun"], auto_exposure=driving),
        "thermal_u8": agc(counts)[..., None],
        "thermal_u16": counts[..., None],
        "celsius": canvas.celsius[..., None].astype(np.float32),
        "material": canvas.material,
        "is_day": np.bool_(is_day),
        "air_c": np.float32(air_c),
        "cloud": np.float32(scene["cloud"]),
    }


def _blur(x: np.ndarray) -> np.ndarray:
    """Separable [1, 2, 1] / 4 blur with edge replication (LWIR optics are softer than visible)."""
    p = np.pad(x, 1, mode="edge")
    x = (p[:-2] + 2 * p[1:-1] + p[2:]) / 4
    return (x[:, :-2] + 2 * x[:, 1:-1] + x[:, 2:]) / 4


def _thermal_camera(rng, canvas, scene) -> np.ndarray:
    """Apparent (brightness) temperature in °C of every pixel, float64 (H, W)."""
    sky_c = scene["mean_sky_c"] + 0.3 * (scene["air_c"] - scene["mean_sky_c"])
    # Upward surfaces reflect the sky; walls, people and cars see half sky, half warm surroundings.
    half_sky = physics.brightness_temperature(
        0.5 * (physics.band_radiance(sky_c) + physics.band_radiance(scene["air_c"])))
    reflected = np.where(canvas.faces_sky, sky_c, half_sky)
    apparent = physics.apparent_temperature(canvas.celsius, _EMISSIVITY[canvas.material], reflected)
    return _blur(apparent) + rng.normal(0.0, 0.05, apparent.shape)


def _visible_camera(rng, canvas, is_day: bool, sun: float, auto_exposure: bool = False) -> np.ndarray:
    """Gamma-encoded uint8 RGB (H, W, 3) under day or night light with sensor noise.

    ``auto_exposure``: as a dash camera, scale each frame's exposure towards a mid-grey mean (up to 12x
    at night, which amplifies the noise and saturates lamps and their glare); else a fixed exposure."""
    h = canvas.size
    if is_day:  # overcast days are duller (the shadows fade with the sun, data_loaders.weather)
        light = (0.6 + 0.4 * sun) * rng.uniform(0.9, 1.1) * (1.0 + 0.1 * canvas.yy[..., None])
        noise = 0.004
    else:  # dim ambient light plus a few pools from street lamps and headlights
        light = np.full((h, h, 1), rng.uniform(0.02, 0.06), np.float32)
        for _ in range(rng.integers(1, 4)):
            cx, cy, r = rng.uniform(0, 1), rng.uniform(0.5, 1.0), rng.uniform(0.1, 0.3)
            light = light + 0.5 * np.exp(-((canvas.xx - cx) ** 2 + (canvas.yy - cy) ** 2) / r**2)[..., None]
        noise = 0.03
    vignetting = 1.0 - rng.uniform(0.0, 0.5) * ((canvas.xx - 0.5) ** 2 + (canvas.yy - 0.5) ** 2)
    linear = (canvas.albedo * light + canvas.emission) * vignetting[..., None]
    linear = linear + rng.normal(0.0, noise, linear.shape) * np.sqrt(np.maximum(linear, 0.01))
    if auto_exposure:
        glare = _blur(_blur(canvas.emission.mean(-1))) * rng.uniform(0.3, 1.0)  # lamps bloom in the lens
        linear = (linear + glare[..., None]) * float(np.clip(0.2 / max(float(np.median(linear)), 1e-3), 0.8, 12.0))
    srgb = np.clip(linear, 0.0, 1.0) ** (1 / 2.2)
    return np.rint(srgb * 255).astype(np.uint8)


def write_dataset(root, splits: dict[str, int] | None = None, size: int = 64, seed: int = 0,
                  layout: str = "flir_v1", overwrite: bool = False, view: str = "mixed") -> Path:
    """Write the synthetic set as a dataset folder; returns ``root``.

    Layouts (what the matching loader in ``data_loaders`` reads):
        ``flir_v1``: ``<split>/RGB/FLIR_00001.jpg``, ``<split>/thermal_8_bit/FLIR_00001.jpeg``,
            ``<split>/thermal_16_bit/FLIR_00001.tiff`` (16-bit counts);
        ``paired``: ``<split>/A/00001.png`` (RGB), ``<split>/B/00001.png`` (16-bit counts);
        ``llvip``: ``visible/<split>/000001.jpg``, ``infrared/<split>/000001.jpg`` (3-channel grey AGC).
    Every layout also gets ``<split>/celsius/<stem>.npy`` (true °C, float32 (H, W)) and a
    ``dataset.json`` at the root with the 16-bit count range and the generator settings. ``view`` is
    the camera set-up of :func:`generate_pairs`.

    The folder is built under a temporary name beside ``root`` and renamed when complete. If ``root``
    already holds the same settings it is reused as is; different settings raise unless ``overwrite``.
    """
    splits = dict(splits or {"train": 200, "test": 40})
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    root = Path(root)
    settings = {"generator": "thermal_keras.synthetic", "version": GENERATOR_VERSION, "layout": layout,
                "size": size, "seed": seed, "splits": splits,
                "thermal_u16": {"value_range": list(COUNT_RANGE),
                                "counts_per_kelvin": physics.COUNTS_PER_KELVIN}}
    if view != "mixed":  # recorded only when not the default, so sets written before the option still match
        settings["view"] = view
    if root.exists():
        existing = _read_settings(root)
        if existing == settings:
            return root
        if not overwrite:
            raise DatasetError(f"{root}: exists and was not written by write_dataset with these "
                               f"settings ({root / 'dataset.json'}); choose another folder or overwrite=True")
    remove_stale_temporaries(root.parent)  # a killed earlier write leaves its temporary folder
    with atomic_dir(root) as tmp:  # an existing root is replaced only once the new set is complete
        for split_index, (split, n) in enumerate(splits.items()):
            pairs = generate_pairs(n, size, seed=seed * 1000 + split_index, view=view)
            for i in range(n):
                _write_one(tmp, layout, split, i + 1, {k: v[i] for k, v in pairs.items()})
        (tmp / "dataset.json").write_text(json.dumps(settings, indent=2) + "\n")
    return root


def _read_settings(root: Path):
    try:
        return json.loads((root / "dataset.json").read_text())
    except (OSError, ValueError):
        return None


def _write_one(root: Path, layout: str, split: str, number: int, pair: dict[str, np.ndarray]):
    import tifffile

    rgb, u8, u16 = pair["rgb"], pair["thermal_u8"][..., 0], pair["thermal_u16"][..., 0]
    if layout == "flir_v1":
        stem, base = f"FLIR_{number:05d}", root / split
        _save(Image.fromarray(rgb), base / "RGB" / f"{stem}.jpg", quality=95)
        _save(Image.fromarray(u8), base / "thermal_8_bit" / f"{stem}.jpeg", quality=95)
        (base / "thermal_16_bit").mkdir(parents=True, exist_ok=True)
        tifffile.imwrite(base / "thermal_16_bit" / f"{stem}.tiff", u16)
    elif layout == "paired":
        stem, base = f"{number:05d}", root / split
        _save(Image.fromarray(rgb), base / "A" / f"{stem}.png")
        _save(Image.fromarray(u16), base / "B" / f"{stem}.png")
    else:  # llvip: infrared stored as grey replicated in three channels, as LLVIP ships it
        stem, base = f"{number:06d}", root
        _save(Image.fromarray(rgb), base / "visible" / split / f"{stem}.jpg", quality=95)
        _save(Image.fromarray(np.repeat(u8[..., None], 3, -1)), base / "infrared" / split / f"{stem}.jpg",
              quality=95)
    celsius_dir = root / split / "celsius"
    celsius_dir.mkdir(parents=True, exist_ok=True)
    np.save(celsius_dir / f"{stem}.npy", pair["celsius"][..., 0])


def _save(image: Image.Image, path: Path, **kwargs):
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kwargs)
