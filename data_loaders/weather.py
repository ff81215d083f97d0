"""Weather and season of a synthetic scene: what the sky and the vegetation look like, in RGB and
in long-wave infrared, for a given air temperature.

Two facts of real scenes make a thermal image's absolute level partly predictable from a photo, and
the synthetic set models both so that a translator can learn them instead of guessing:

* **Cloud cover sets the sky temperature.** A clear sky radiates like a body 30–45 K colder than the
  air; a cloud base is only a few kelvin colder. Clouds are white or grey by day and, over a city at
  night, glow faintly orange from street light. Clouds also dim the sun, so sun-heated surfaces
  (asphalt, walls, car bodies) heat less and cast weaker shadows.
* **The season shows in the vegetation.** Grass and leaves are green when it is warm, yellow-brown
  when it is cool, and the ground is under snow below freezing.

Everything is seeded through the ``rng`` the caller passes; nothing here draws from a global state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GREEN_RGB = np.array([0.10, 0.36, 0.07], np.float32)  # summer grass, linear RGB albedo
BROWN_RGB = np.array([0.30, 0.24, 0.13], np.float32)  # winter grass
SNOW_RGB = np.array([0.82, 0.84, 0.88], np.float32)
SNOW_BELOW_C = 0.5  # air temperature under which the verges lie under snow


@dataclass(frozen=True)
class Weather:
    """One scene's weather.

    ``cloud``: cover fraction in [0, 1]; ``sun``: direct sunlight strength in [0, 1] (0 at night);
    ``clear_sky_c``/``cloud_c``: effective sky temperatures (°C) of clear patches and of the cloud
    base; ``warmth``: season cue in [0, 1] (0 winter, 1 summer) that colours the vegetation;
    ``snow``: whether the verges are snow-covered.
    """

    is_day: bool
    air_c: float
    cloud: float
    sun: float
    clear_sky_c: float
    cloud_c: float
    warmth: float
    snow: bool

    @property
    def mean_sky_c(self) -> float:
        """The sky temperature that horizontal surfaces reflect (cover-weighted)."""
        return self.clear_sky_c + self.cloud * (self.cloud_c - self.clear_sky_c)

    def vegetation_rgb(self, rng: np.random.Generator) -> np.ndarray:
        """Grass/leaf albedo for this season: brown in winter, green in summer (±10 % per object)."""
        return ((1 - self.warmth) * BROWN_RGB + self.warmth * GREEN_RGB) * rng.uniform(0.85, 1.15)


def draw_weather(rng: np.random.Generator, is_day: bool, air_c: float) -> Weather:
    """Cloud cover, sunlight, sky temperatures and season for a scene at ``air_c`` °C."""
    cloud = float(rng.uniform(0.0, 1.0))
    sun = (1.0 - 0.75 * cloud) if is_day else 0.0
    clear_sky_c = max(air_c - rng.uniform(33.0, 41.0), -38.0)
    cloud_c = air_c - rng.uniform(5.0, 9.0)
    # The season cue follows the air temperature with some scatter (a warm spell in autumn...).
    warmth = float(np.clip((air_c + 5.0 + rng.normal(0.0, 2.0)) / 35.0, 0.0, 1.0))
    return Weather(is_day=is_day, air_c=air_c, cloud=cloud, sun=float(sun), clear_sky_c=float(clear_sky_c),
                   cloud_c=float(cloud_c), warmth=warmth, snow=air_c < SNOW_BELOW_C)


def cloud_cover_map(rng: np.random.Generator, shape: tuple[int, int], cloud: float, noise) -> np.ndarray:
    """Per-pixel cloud cover in [0, 1] whose mean follows ``cloud``: thresholded smooth noise.

    ``noise(rng, shape, cells)`` is the scene's smooth-noise function (values in about [-1, 1]).
    """
    field = 0.6 * noise(rng, shape, 5) + 0.4 * noise(rng, shape, 11)
    return np.clip((field + 2.0 * cloud - 1.0) * 2.5 + 0.5, 0.0, 1.0).astype(np.float32)


def sky(weather: Weather, cover: np.ndarray, yy: np.ndarray, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """``(celsius (H, W), rgb (H, W, 3))`` of the sky for a cover map and image rows ``yy`` in [0, 1).

    Towards the horizon the path through warm air gets longer, so the sky warms to about the air
    temperature and brightens; clouds are warmer than the clear sky between them.
    """
    zenith_c = weather.clear_sky_c + cover * (weather.cloud_c - weather.clear_sky_c)
    to_horizon = np.clip(yy / max(horizon, 1e-3), 0.0, 1.0) ** 3
    celsius = zenith_c + (weather.air_c - 3.0 - zenith_c) * to_horizon
    if weather.is_day:
        clear = np.stack([0.30 + 0.4 * yy, 0.50 + 0.3 * yy, 0.95 + 0 * yy], -1)
        grey = 0.92 - 0.35 * weather.cloud  # thick overcast is darker
        cloudy = np.full_like(clear, grey)
    else:  # clear night sky is black; clouds over a city reflect the street lights
        clear = np.stack([0.015 + 0 * yy, 0.02 + 0 * yy, 0.05 + 0.03 * yy], -1)
        cloudy = np.broadcast_to(np.array([0.09, 0.07, 0.055], np.float32), clear.shape)
    rgb = clear + cover[..., None] * (cloudy - clear)
    return celsius.astype(np.float32), rgb.astype(np.float32)
