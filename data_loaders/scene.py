"""Procedural street scenes: a material map, true temperatures in °C and an RGB rendering.

One scene is drawn back to front (sky, buildings, ground, then cars, people and poles from far to
near) on a :class:`Canvas` that holds, per pixel, the material id, the temperature, the RGB albedo
and whether the surface faces the sky. :mod:`data_loaders.synthetic` turns it into camera images.

The mapping RGB -> thermal is learnable from shape and context but not from colour: every object
gets a random paint or clothing colour, while its temperature comes from what it is (skin, a
driven car's hood, sun-heated asphalt, a cold sky). The absolute level follows the weather and the
season, which show in the photo as they do in real ones (:mod:`data_loaders.weather`: cloud cover,
sunlight and shadows, green, brown or snow-covered vegetation).

Two camera set-ups are drawn by default (``view="mixed"``): a street-level camera (horizon in the
upper half, buildings, sky) and an elevated surveillance camera looking down on a pavement and a road
(horizon near or above the top edge, more pedestrians, zebra crossings), the view of LLVIP-style
footage. ``view="driving"`` draws what a car's forward camera sees, as in FLIR ADAS and RoadScene: a
wide road running from the bottom edge to a vanishing point near mid-height, cars ahead seen from
behind (warm tyres, hot exhaust, a warm patch of road under a driven car), parked cars, people and
trees along the kerbs, street lights. Surfaces carry fine texture (grain, paving joints, brick
courses) in RGB and a little in temperature.
"""

from __future__ import annotations

import numpy as np

from data_loaders.weather import SNOW_RGB, Weather, cloud_cover_map, draw_weather, sky

MATERIALS = ("sky", "asphalt", "concrete", "vegetation", "glass", "paint", "aluminium", "skin",
             "clothing", "rubber", "soil", "snow")
MATERIAL_ID = {name: i for i, name in enumerate(MATERIALS)}
ELEVATED_VIEW_P = 0.4  # share of scenes seen from a surveillance camera above the street ("mixed" view)
VIEWS = ("mixed", "driving")  # camera set-ups of draw_scene


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cells: int = 6) -> np.ndarray:
    """Low-frequency noise in about [-1, 1]: a random (cells+1)² grid bilinearly upsampled."""
    h, w = shape
    grid = rng.uniform(-1.0, 1.0, (cells + 1, cells + 1))
    ys = np.linspace(0, cells, h)
    xs = np.linspace(0, cells, w)
    rows = np.array([np.interp(xs, np.arange(cells + 1), g) for g in grid])
    return np.array([np.interp(ys, np.arange(cells + 1), col) for col in rows.T]).T


def grain(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Fine surface texture: unit-variance pixel noise softened by a 3-tap blur, float32 (H, W)."""
    x = rng.normal(0.0, 1.0, shape)
    x = (np.roll(x, 1, 0) + 2 * x + np.roll(x, -1, 0)) / 4
    x = (np.roll(x, 1, 1) + 2 * x + np.roll(x, -1, 1)) / 4
    return (x / max(float(x.std()), 1e-6)).astype(np.float32)


class Canvas:
    """Per-pixel scene state for one ``size x size`` image, painted back to front."""

    def __init__(self, size: int):
        self.size = size
        self.yy, self.xx = np.mgrid[0:size, 0:size].astype(np.float32) / size  # [0, 1) coordinates
        self.material = np.zeros((size, size), np.uint8)
        self.celsius = np.zeros((size, size), np.float32)
        self.albedo = np.zeros((size, size, 3), np.float32)  # linear RGB reflectance in [0, 1]
        self.emission = np.zeros((size, size, 3), np.float32)  # light sources (lamps, lit windows)
        self.faces_sky = np.zeros((size, size), bool)  # horizontal surfaces reflect the sky

    def paint(self, mask, material, celsius, rgb, faces_sky=False, emission=None):
        """Overwrite the pixels in ``mask`` (bool (H, W)); celsius/rgb may be scalars or arrays."""
        self.material[mask] = MATERIAL_ID[material]
        self.celsius[mask] = celsius[mask] if np.ndim(celsius) == 2 else celsius
        self.albedo[mask] = rgb[mask] if np.ndim(rgb) == 3 else np.asarray(rgb, np.float32)
        self.emission[mask] = 0.0 if emission is None else emission
        self.faces_sky[mask] = faces_sky

    def rect(self, x0, y0, x1, y1):
        return (self.xx >= x0) & (self.xx < x1) & (self.yy >= y0) & (self.yy < y1)

    def ellipse(self, cx, cy, rx, ry):
        return ((self.xx - cx) / max(rx, 1e-6)) ** 2 + ((self.yy - cy) / max(ry, 1e-6)) ** 2 <= 1.0

    def texture(self, mask, tex, rgb_amount, celsius_amount=0.0):
        """Modulate the albedo (and temperature) inside ``mask`` by a texture ``tex`` (H, W) ~ N(0, 1)."""
        self.albedo[mask] *= np.clip(1.0 + rgb_amount * tex[mask], 0.2, 2.0)[:, None]
        self.celsius[mask] += celsius_amount * tex[mask]


def random_colour(rng: np.random.Generator) -> np.ndarray:
    """A saturated or neutral object colour (linear RGB albedo)."""
    if rng.random() < 0.3:  # white, silver, grey or black paint is common
        return np.full(3, rng.choice([0.05, 0.3, 0.55, 0.8]), np.float32) * rng.uniform(0.9, 1.1)
    hue = rng.random()
    rgb = np.clip(np.abs(((hue * 6 + np.array([0, 4, 2])) % 6) - 3) - 1, 0, 1)
    return (0.1 + 0.7 * rgb * rng.uniform(0.6, 1.0)).astype(np.float32)


def draw_scene(rng: np.random.Generator, size: int, is_day: bool, air_c: float,
               view: str = "mixed") -> tuple[Canvas, dict]:
    """Draw one street scene; returns the canvas and the scene parameters (weather, view, horizon).

    ``view``: one of :data:`VIEWS` (``"mixed"``: street-level and elevated cameras; ``"driving"``: a
    car's forward camera)."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
    c = Canvas(size)
    weather = draw_weather(rng, is_day, air_c)
    if view == "driving":
        return c, _draw_driving(c, rng, weather)
    elevated = bool(rng.random() < ELEVATED_VIEW_P)
    horizon = rng.uniform(-0.25, 0.15) if elevated else rng.uniform(0.3, 0.5)
    cover = cloud_cover_map(rng, (size, size), weather.cloud, smooth_noise)
    sky_c, sky_rgb = sky(weather, cover, c.yy, horizon)
    c.paint(np.ones_like(c.faces_sky), "sky", sky_c, sky_rgb)
    tex = grain(rng, (size, size))

    if horizon > 0.1:  # an elevated camera may see no skyline
        _draw_buildings(c, rng, horizon, weather, tex)
    _draw_ground(c, rng, horizon, weather, tex, elevated)
    objects = []
    near = max(horizon + 0.12, 0.08)
    for _ in range(rng.integers(0, 3) if elevated else rng.integers(1, 4)):
        objects.append(("car", rng.uniform(near, 1.05)))
    for _ in range(rng.integers(1, 7) if elevated else rng.integers(0, 4)):
        objects.append(("person", rng.uniform(max(horizon + 0.1, 0.1), 1.1)))
    for _ in range(rng.integers(0, 3)):
        objects.append(("tree", rng.uniform(near, 0.95)))
    if rng.random() < 0.5:
        objects.append(("pole", rng.uniform(max(horizon + 0.05, 0.3), 0.9)))
    for kind, foot_y in sorted(objects, key=lambda o: o[1]):  # far (small y) first
        scale = (foot_y - horizon) / (1.0 - horizon) * (0.6 if elevated else 1.0)  # a high camera is farther
        x = rng.uniform(-0.1, 1.1)
        draw = {"car": _draw_car, "person": _draw_person, "pole": _draw_pole, "tree": _draw_tree}[kind]
        draw(c, rng, x, foot_y, scale, weather)
    return c, _scene_params(weather, horizon, elevated)


def _scene_params(weather: Weather, horizon: float, elevated: bool) -> dict:
    return {"horizon": float(horizon), "elevated": elevated, "sky_zenith_c": weather.clear_sky_c,
            "mean_sky_c": weather.mean_sky_c, "air_c": float(weather.air_c), "is_day": bool(weather.is_day),
            "cloud": weather.cloud, "sun": weather.sun, "snow": weather.snow, "warmth": weather.warmth}


def _draw_driving(c: Canvas, rng, weather: Weather) -> dict:
    """A car's forward view: the road from the bottom edge to a vanishing point at ``horizon``."""
    horizon = rng.uniform(0.35, 0.52)
    cover = cloud_cover_map(rng, (c.size, c.size), weather.cloud, smooth_noise)
    sky_c, sky_rgb = sky(weather, cover, c.yy, horizon)
    c.paint(np.ones_like(c.faces_sky), "sky", sky_c, sky_rgb)
    tex = grain(rng, (c.size, c.size))
    if rng.random() < 0.7:
        _draw_buildings(c, rng, horizon, weather, tex)
    vx = rng.uniform(0.4, 0.6)
    half = rng.uniform(0.45, 0.8)  # the road's half width at the bottom edge
    _draw_ground(c, rng, horizon, weather, tex, elevated=False, vanishing_x=vx, half_width=half)
    _draw_lanes(c, rng, horizon, vx, half, weather)
    depth = lambda y: (y - horizon) / (1.0 - horizon)  # noqa: E731 - 0 at the horizon, 1 at the bottom
    objects = []
    for _ in range(rng.integers(0, 4)):  # cars ahead, in the lanes, seen from behind
        foot = rng.uniform(horizon + 0.04, 0.95)
        objects.append(("rear", foot, vx + rng.uniform(-0.8, 0.8) * half * depth(foot)))
    for _ in range(rng.integers(0, 4)):  # parked cars along the kerbs, seen from the side
        foot = rng.uniform(horizon + 0.05, 1.0)
        objects.append(("car", foot, vx + rng.choice([-1, 1]) * (half + 0.25) * depth(foot)))
    for _ in range(rng.integers(0, 5)):  # people on the pavements or crossing
        foot = rng.uniform(horizon + 0.04, 1.05)
        side = rng.choice([-1, 1]) * rng.uniform(0.9, 1.6) if rng.random() < 0.8 else rng.uniform(-0.8, 0.8)
        objects.append(("person", foot, vx + side * half * depth(foot)))
    for _ in range(rng.integers(0, 7)):  # trees and poles line the road
        foot = rng.uniform(horizon + 0.03, 0.9)
        x = vx + rng.choice([-1, 1]) * rng.uniform(1.15, 1.7) * half * depth(foot)
        objects.append(("tree" if rng.random() < 0.7 else "pole", foot, x))
    draw = {"rear": _draw_car_rear, "car": _draw_car, "person": _draw_person, "pole": _draw_pole,
            "tree": _draw_tree}
    for kind, foot_y, x in sorted(objects, key=lambda o: o[1]):  # far (small y) first
        scale = depth(foot_y) * (1.6 if kind == "tree" else 1.0)
        draw[kind](c, rng, x, foot_y, scale, weather)
    return _scene_params(weather, horizon, elevated=False)


def _draw_lanes(c: Canvas, rng, horizon, vx, half, weather: Weather):
    """Dashed lane lines and solid edge lines converging on the vanishing point ``(vx, horizon)``."""
    depth = np.clip((c.yy - horizon) / (1.0 - horizon), 0.0, 1.0)
    road = c.material == MATERIAL_ID["asphalt"]
    lanes = int(rng.integers(1, 4))
    paint_c = c.celsius - 4.0 * weather.sun - 0.5  # paint reflects sunlight: cooler than asphalt by day
    for k in range(1, lanes):
        offset = -1.0 + 2.0 * k / lanes
        line = road & (np.abs(c.xx - vx - offset * half * depth) <= depth * 0.012 + 0.002)
        line &= np.sin(25.0 / (depth + 0.15)) > 0  # dashes shorten towards the horizon
        c.paint(line, "asphalt", paint_c, (0.8, 0.8, 0.75), faces_sky=True)
    for side in (-1, 1):
        edge = road & (np.abs(c.xx - vx - side * 0.95 * half * depth) <= depth * 0.01 + 0.002)
        c.paint(edge, "asphalt", paint_c, (0.8, 0.75, 0.4) if side < 0 and rng.random() < 0.5 else (0.8, 0.8, 0.75),
                faces_sky=True)


def _draw_car_rear(c: Canvas, rng, x, foot_y, scale, weather: Weather):
    """A car seen from behind: body and rear window, tyres, tail lights and exhaust; a driven car's
    tyres, exhaust and the road under it are warm (the hot engine is out of sight at the far end)."""
    air_c, sun = weather.air_c, weather.sun
    w, h = 0.32 * scale, 0.26 * scale
    driven = rng.random() < 0.8
    paint = random_colour(rng)
    body_c = air_c + 4.0 * sun
    _shadow(c, c.rect(x - 0.55 * w, foot_y - 0.05 * h, x + 0.55 * w, foot_y + 0.04 * h), sun, 7.0, 0.65)
    if driven:  # engine and exhaust heat the road under the car
        under = c.rect(x - 0.45 * w, foot_y - 0.12 * h, x + 0.45 * w, foot_y + 0.03 * h)
        under &= c.material == MATERIAL_ID["asphalt"]
        c.celsius[under] += rng.uniform(4.0, 10.0)
    body = c.rect(x - w / 2, foot_y - 0.62 * h, x + w / 2, foot_y - 0.12 * h)
    c.paint(body, "paint", body_c + (rng.uniform(1.0, 4.0) if driven else 0.0), paint)
    cabin = c.rect(x - 0.4 * w, foot_y - h, x + 0.4 * w, foot_y - 0.6 * h)
    c.paint(cabin, "paint", body_c, paint)
    window = c.rect(x - 0.34 * w, foot_y - 0.94 * h, x + 0.34 * w, foot_y - 0.64 * h)
    c.paint(window, "glass", air_c + 1.0, (0.08, 0.1, 0.13))
    lit = driven and not weather.is_day
    for side in (-1, 1):
        tyre = c.rect(x + side * 0.38 * w - 0.09 * w, foot_y - 0.14 * h, x + side * 0.38 * w + 0.09 * w, foot_y)
        c.paint(tyre, "rubber", air_c + (rng.uniform(8, 15) if driven else 0.5 * sun), (0.04, 0.04, 0.04))
        lamp = c.rect(x + side * 0.4 * w - 0.08 * w, foot_y - 0.55 * h, x + side * 0.4 * w + 0.08 * w,
                      foot_y - 0.45 * h)
        c.paint(lamp, "glass", body_c + (6.0 if lit else 0.0), (0.7, 0.05, 0.03),
                emission=(1.0, 0.1, 0.05) if lit else None)
    plate = c.rect(x - 0.12 * w, foot_y - 0.4 * h, x + 0.12 * w, foot_y - 0.3 * h)
    c.paint(plate, "paint", body_c, (0.8, 0.8, 0.75))
    pipe = c.ellipse(x + rng.choice([-1, 1]) * 0.28 * w, foot_y - 0.14 * h, 0.04 * w, 0.03 * h)
    c.paint(pipe, "aluminium", air_c + (rng.uniform(40, 80) if driven else 0.0), (0.2, 0.2, 0.2))


def _draw_buildings(c: Canvas, rng, horizon, weather: Weather, tex):
    air_c, sun = weather.air_c, weather.sun
    x = rng.uniform(-0.2, 0.0)
    while x < 1.0:
        width = rng.uniform(0.15, 0.45)
        top = horizon - rng.uniform(0.05, horizon * 0.9)
        wall = c.rect(x, top, x + width, horizon + 0.01)
        wall_rgb = random_colour(rng) * 0.6 + 0.25
        wall_c = air_c + rng.uniform(0.5, 1.5) + 5.0 * sun * rng.uniform(0.4, 1.0) + 0.8 * smooth_noise(rng, wall.shape)
        c.paint(wall, "concrete", wall_c, wall_rgb)
        courses = wall & (np.modf(c.yy * c.size / rng.uniform(2.5, 4.0))[0] < 0.25)  # brick or panel joints
        c.albedo[courses] *= 0.8
        c.texture(wall, tex, 0.08)
        # Windows: warm interior leaks through the glass at night, lit ones glow in RGB.
        step = rng.uniform(0.04, 0.08)
        glass_c = air_c + (1.0 if weather.is_day else rng.uniform(3.0, 6.0))
        for wy in np.arange(top + step / 2, horizon - step / 2, step):
            for wx in np.arange(x + step / 2, x + width - step / 2, step):
                win = c.rect(wx, wy, wx + step * 0.5, wy + step * 0.55)
                lit = (not weather.is_day) and rng.random() < 0.35
                c.paint(win, "glass", glass_c + (2.0 if lit else 0.0),
                        (0.1, 0.12, 0.16), emission=(1.0, 0.8, 0.4) if lit else None)
        x += width + rng.uniform(0.0, 0.1)


def _draw_ground(c: Canvas, rng, horizon, weather: Weather, tex, elevated: bool, vanishing_x=None,
                 half_width=None):
    """Verges, pavement and road below ``horizon``; a driving view passes its vanishing point and the
    road's half width at the bottom edge (else both are drawn here) and draws its own lane lines."""
    air_c, sun = weather.air_c, weather.sun
    below = c.yy >= horizon
    if weather.snow:  # snow lies at or below 0 °C whatever the air does
        c.paint(below, "snow", min(air_c, 0.0) - 0.5 + 0.3 * smooth_noise(rng, below.shape), SNOW_RGB,
                faces_sky=True)
        c.texture(below, tex, 0.04, 0.1)
    else:
        verge_c = air_c + rng.uniform(-1.0, 1.0) + 3.0 * sun + 0.8 * smooth_noise(rng, below.shape)
        c.paint(below, "vegetation", verge_c, weather.vegetation_rgb(rng), faces_sky=True)
        c.texture(below, tex, 0.35, 0.4)
    depth = np.clip((c.yy - horizon) / (1.0 - horizon), 0.0, 1.0)  # 0 at the horizon, 1 at the bottom
    driving = vanishing_x is not None
    vx = vanishing_x if driving else rng.uniform(0.3, 0.7)
    if driving:
        half = half_width
    else:
        half = rng.uniform(0.35, 0.7) if not elevated else rng.uniform(0.15, 0.35)
    slant = rng.uniform(-0.3, 0.3) if elevated else 0.0  # the road crosses an elevated view at an angle
    centre = vx + slant * (c.yy - 0.5)
    walk = below & (np.abs(c.xx - centre) <= depth * (half + (0.35 if elevated else 0.2)))
    c.paint(walk, "concrete", air_c + 1.5 + 9.0 * sun + 0.5 * smooth_noise(rng, walk.shape),
            (0.55, 0.53, 0.5), faces_sky=True)
    tile = rng.uniform(0.04, 0.08)
    joints = walk & ((np.modf(c.xx / tile)[0] < 0.1) | (np.modf(c.yy / tile)[0] < 0.1))  # paving slabs
    c.albedo[joints] *= 0.75
    c.texture(walk, tex, 0.12, 0.2)
    road = below & (np.abs(c.xx - centre) <= depth * half)
    road_c = air_c + rng.uniform(2.0, 3.5) + 14.0 * sun + smooth_noise(rng, road.shape)
    c.paint(road, "asphalt", road_c, (0.16, 0.16, 0.17), faces_sky=True)
    c.texture(road, tex, 0.25, 0.3)
    # Road paint reflects sunlight, so it stays cooler than the asphalt by day.
    if driving:
        return
    if elevated and rng.random() < 0.7:  # zebra crossing
        y0 = rng.uniform(0.3, 0.8)
        stripes = road & (np.abs(c.yy - y0) < 0.12) & (np.modf((c.xx - centre) / 0.06)[0] < 0.5)
        c.paint(stripes, "asphalt", road_c - 4.0 * sun - 0.5, (0.8, 0.8, 0.75), faces_sky=True)
    else:  # dashed centre line
        dash = road & (np.abs(c.xx - centre) <= depth * 0.015 + 0.002) & (np.sin(40.0 / (depth + 0.2)) > 0)
        c.paint(dash, "asphalt", road_c - 4.0 * sun - 0.5, (0.8, 0.8, 0.75), faces_sky=True)


def _draw_car(c: Canvas, rng, x, foot_y, scale, weather: Weather):
    air_c, sun = weather.air_c, weather.sun
    w, h = 0.55 * scale, 0.3 * scale
    driven = rng.random() < 0.6
    paint = random_colour(rng)
    body_c = air_c + 4.0 * sun
    body = c.rect(x - w / 2, foot_y - 0.75 * h, x + w / 2, foot_y - 0.15 * h)
    c.paint(body, "paint", body_c, paint)
    cabin = c.rect(x - 0.3 * w, foot_y - h, x + 0.3 * w, foot_y - 0.72 * h)
    c.paint(cabin, "paint", body_c, paint)
    for side in (-1, 1):  # side windows
        win = c.rect(x + side * 0.27 * w - 0.12 * w, foot_y - 0.95 * h, x + side * 0.27 * w + 0.12 * w,
                     foot_y - 0.75 * h)
        c.paint(win, "glass", air_c + 1.0, (0.08, 0.1, 0.13))
    # The engine end of a driven car is hot; it sits at a random end, as a car seen from the side.
    front = rng.choice([-1, 1])
    hood = body & (((c.xx - x) * front) > 0.2 * w)
    c.paint(hood, "paint", body_c + (rng.uniform(15, 35) if driven else 0.0), paint)
    lamp = c.rect(x + front * 0.46 * w - 0.04 * w, foot_y - 0.6 * h, x + front * 0.46 * w + 0.04 * w,
                  foot_y - 0.48 * h)
    on = driven and not weather.is_day
    c.paint(lamp, "glass", body_c + (12.0 if on else 0.0), (0.9, 0.9, 0.8),
            emission=(1.0, 1.0, 0.9) if on else None)
    for side in (-1, 1):
        tyre = c.ellipse(x + side * 0.32 * w, foot_y - 0.12 * h, 0.1 * w, 0.14 * h)
        c.paint(tyre, "rubber", air_c + (rng.uniform(8, 15) if driven else 0.5 * sun), (0.04, 0.04, 0.04))
    _shadow(c, c.ellipse(x, foot_y, 0.55 * w, 0.06 * h), sun, 7.0, 0.65)


def _shadow(c: Canvas, mask, sun: float, cooler_k: float, darker: float):
    """Shade the ground inside ``mask``: sun-heated ground there is cooler and darker by day."""
    ground = mask & np.isin(c.material, [MATERIAL_ID[m] for m in ("asphalt", "concrete", "vegetation")])
    c.celsius[ground] -= cooler_k * sun
    c.albedo[ground] *= 1.0 - darker * sun


def _draw_person(c: Canvas, rng, x, foot_y, scale, weather: Weather):
    air_c = weather.air_c
    h = 0.55 * scale
    w = 0.14 * h / 0.55 * 0.55 + 0.08 * scale
    skin_c = rng.uniform(32.0, 35.5)
    # Thicker clothes in the cold: their surface sits closer to the air temperature.
    insulation = np.clip(0.65 - weather.warmth * 0.3 + rng.normal(0, 0.05), 0.3, 0.8)
    clothes_c = skin_c - (skin_c - air_c) * insulation
    skin_rgb = np.array([0.85, 0.62, 0.5], np.float32) * rng.uniform(0.35, 1.0)
    legs = c.rect(x - 0.22 * w, foot_y - 0.48 * h, x + 0.22 * w, foot_y)
    c.paint(legs, "clothing", clothes_c, random_colour(rng))
    torso = c.ellipse(x, foot_y - 0.64 * h, 0.33 * w, 0.2 * h)
    c.paint(torso, "clothing", clothes_c + 1.0, random_colour(rng))
    for side in (-1, 1):
        hand = c.ellipse(x + side * 0.36 * w, foot_y - 0.47 * h, 0.06 * w, 0.05 * h)
        c.paint(hand, "skin", skin_c - 2.0, skin_rgb)
    head = c.ellipse(x, foot_y - 0.9 * h, 0.16 * w, 0.09 * h)
    c.paint(head, "skin", skin_c, skin_rgb)
    _shadow(c, c.ellipse(x + 0.1 * w, foot_y, 0.5 * w, 0.03 * h), weather.sun, 5.0, 0.55)


def _draw_tree(c: Canvas, rng, x, foot_y, scale, weather: Weather):
    """A tree: a trunk and a textured crown of the season's colour, near the air temperature."""
    air_c, sun = weather.air_c, weather.sun
    h = (0.6 + 0.4 * rng.random()) * scale + 0.05
    trunk = c.rect(x - 0.02 * scale - 0.003, foot_y - 0.45 * h, x + 0.02 * scale + 0.003, foot_y)
    c.paint(trunk, "vegetation", air_c + 1.0 * sun, (0.18, 0.12, 0.08))
    crown = c.ellipse(x, foot_y - 0.7 * h, 0.22 * h, 0.32 * h)
    if weather.warmth > 0.3:  # leaves; bare branches show the sky through them in winter
        leaves = crown & (smooth_noise(rng, crown.shape, 14) > -0.6)
    else:
        leaves = crown & (smooth_noise(rng, crown.shape, 20) > 0.45)
    rgb = SNOW_RGB * 0.9 if weather.snow and rng.random() < 0.5 else weather.vegetation_rgb(rng) * 0.8
    c.paint(leaves, "vegetation", air_c - 0.5 + 2.0 * sun + 0.5 * smooth_noise(rng, crown.shape, 8), rgb)
    c.texture(leaves, grain(rng, crown.shape), 0.4, 0.4)
    _shadow(c, c.ellipse(x, foot_y, 0.3 * h, 0.05 * h), sun, 6.0, 0.5)


def _draw_pole(c: Canvas, rng, x, foot_y, scale, weather: Weather):
    """A polished aluminium pole: low emissivity, so the camera sees the reflected cold sky."""
    h, w = 0.9 * scale + 0.1, 0.015 + 0.01 * scale
    pole = c.rect(x - w / 2, foot_y - h, x + w / 2, foot_y)
    c.paint(pole, "aluminium", weather.air_c + 2.0 * weather.sun, (0.75, 0.76, 0.78))
    lamp_on = not weather.is_day
    lamp = c.ellipse(x, foot_y - h, 3 * w, 1.2 * w)
    c.paint(lamp, "glass", weather.air_c + (25.0 if lamp_on else 0.0), (0.9, 0.9, 0.85),
            emission=(1.0, 0.85, 0.6) if lamp_on else None)
