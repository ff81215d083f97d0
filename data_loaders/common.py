"""What every loader returns: paired file lists plus how each side is stored."""

from __future__ import annotations

from dataclasses import dataclass, field


class DatasetError(ValueError):
    """A dataset folder or file that cannot be used; the message names the path and the problem."""


@dataclass(frozen=True)
class ImageSpec:
    """How the files of one side of a pair are stored and mapped to the model's ``[-1, 1]``.

    Attributes:
        channels: channels inside the model: 3 for visible RGB, 1 for thermal. Files with another
            channel count are converted on load (3-channel grey infrared -> 1 channel).
        bit_depth: bits per sample in the files, 8 or 16. 16-bit files are never divided by 255.
        value_range: ``(low, high)`` file values mapped to ``(-1, 1)``; values outside are clipped.
            ``None`` means ``(0, 255)`` and is only allowed for 8-bit files.
        counts_per_kelvin: for radiometric 16-bit thermal (T-linear), counts per kelvin, so that
            ``celsius = counts / counts_per_kelvin - 273.15``; ``None`` when the mapping is unknown.
    """

    channels: int
    bit_depth: int = 8
    value_range: tuple[float, float] | None = None
    counts_per_kelvin: float | None = None

    def __post_init__(self):
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.channels}")
        if self.bit_depth not in (8, 16):
            raise ValueError(f"bit_depth must be 8 or 16, got {self.bit_depth}")
        if self.bit_depth == 16 and self.value_range is None:
            raise ValueError("16-bit images need an explicit value_range (low, high) in counts")
        if self.value_range is not None and not self.value_range[1] > self.value_range[0]:
            raise ValueError(f"value_range must be (low, high) with high > low, got {self.value_range}")

    @property
    def range(self) -> tuple[float, float]:
        """The ``(low, high)`` file values that map to ``(-1, 1)``."""
        return tuple(self.value_range) if self.value_range is not None else (0.0, 255.0)


RGB_SPEC = ImageSpec(channels=3, bit_depth=8)
THERMAL_8BIT_SPEC = ImageSpec(channels=1, bit_depth=8)


@dataclass(frozen=True)
class PairedFiles:
    """Pixel-registered (or at least matched) pairs: ``a_paths[i]`` goes with ``b_paths[i]``.

    ``a`` is the input side (visible RGB), ``b`` the target side (thermal).
    """

    a_paths: tuple[str, ...]
    b_paths: tuple[str, ...]
    a_spec: ImageSpec = RGB_SPEC
    b_spec: ImageSpec = THERMAL_8BIT_SPEC
    source: str = ""
    aligned: bool = True  # False where the layout pairs frames that are not pixel-registered
    extras: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if len(self.a_paths) != len(self.b_paths):
            raise DatasetError(
                f"{self.source or 'pairs'}: {len(self.a_paths)} A files but {len(self.b_paths)} B files"
            )
        if not self.a_paths:
            raise DatasetError(f"{self.source or 'pairs'}: no image pairs found")

    def __len__(self) -> int:
        return len(self.a_paths)

    def subset(self, indices) -> "PairedFiles":
        """The pairs at ``indices``, same specs (for train/validation splits)."""
        idx = list(indices)
        return PairedFiles(
            a_paths=tuple(self.a_paths[i] for i in idx),
            b_paths=tuple(self.b_paths[i] for i in idx),
            a_spec=self.a_spec,
            b_spec=self.b_spec,
            source=self.source,
            aligned=self.aligned,
            extras=dict(self.extras),
        )
