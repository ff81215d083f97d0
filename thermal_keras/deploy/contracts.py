"""The uint8-in contract of each generator family, as TensorFlow functions every format is traced from.

A contract is a :class:`Contract`: the family, the input specs (name, dtype, shape with ``None``
for a free size) and ``fn``, a function of those inputs returning a dict of outputs. Every deploy
format (SavedModel, TFLite, ONNX) is written from the same function, so they agree by
construction; what each format keeps of it is in docs/export.md.

* ``translator`` (pix2pix, CycleGAN): ``rgb`` uint8 ``[N, H, W, 3]`` -> ``thermal`` float32
  ``[N, H, W, 1]`` in ``[-1, 1]``, ``thermal_u8`` uint8 (and, for 16-bit radiometric training data,
  ``thermal_u16``, ``thermal_agc``, ``celsius``): exactly :func:`thermal_keras.export.export_saved_model`'s
  ``serve`` (symmetric padding to the U-Net's multiple, cropped back).
* ``sr`` (Swift-SRGAN, SRGAN): ``lr`` uint8 ``[N, h, w, C]`` -> ``sr`` float32 ``[N, h*s, w*s, C]``
  in ``[0, 1]`` and ``sr_u8`` uint8 ``round(sr * 255)``: the ``serve`` signature of
  :func:`thermal_keras.sr.inference.export_sr_saved_model` plus its float output.
* ``fusion`` (FusionGAN): ``ir`` uint8 ``[N, H, W, 1]`` and ``visible`` uint8 RGB ``[N, H, W, 3]``
  -> ``fused`` float32 ``[N, H, W, 1]`` in ``[-1, 1]``, ``fused_u8`` uint8 (the fused luma) and
  ``fused_rgb`` uint8 ``[N, H, W, 3]`` (the visible image with its BT.601 luma replaced), as
  ``thermal-keras fuse`` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

from thermal_keras.families import CONTRACTS
from thermal_keras.luma import LUMA_BT601, luma_tensor

FAMILIES = CONTRACTS  # the contracts, named as thermal_keras.families names them
LUMA = LUMA_BT601  # the name this module gave BT.601's weights


@dataclass(frozen=True)
class Contract:
    """``family``; ``inputs`` ``((name, dtype name, shape), ...)``; ``fn(*inputs) -> {name: tensor}``;
    ``outputs`` the output names; ``metadata`` what a reader needs beside the file (JSON-able)."""

    family: str
    inputs: tuple
    fn: object
    outputs: tuple
    metadata: dict


def generator_family(generator: keras.Model) -> str:
    """``"sr"`` for a generator with a ``PixelShuffle``, ``"fusion"`` for 2 input channels, else
    ``"translator"`` (3 input channels); a ``ValueError`` for anything else."""
    from thermal_keras.sr.networks import generator_scale

    try:
        generator_scale(generator)
        return "sr"
    except ValueError:
        pass
    channels = generator.input_shape[-1]
    if channels == 2:
        return "fusion"
    if channels == 3:
        return "translator"
    raise ValueError(f"{generator.name}: takes {channels}-channel input; not a translator (3), "
                     f"FusionGAN (2) or super-resolution generator")


def _translator(generator, target_spec, shape):
    from thermal_keras.export import serving_fn
    from thermal_keras.networks.unet import generator_size_multiple

    multiple = generator_size_multiple(generator)
    outputs = ["thermal", "thermal_u8"]
    if target_spec is not None and target_spec.bit_depth == 16:
        outputs += ["thermal_u16", "thermal_agc"] + (["celsius"] if target_spec.counts_per_kelvin else [])
    meta = {"size_multiple": multiple,
            "target_spec": None if target_spec is None else {
                "channels": target_spec.channels, "bit_depth": target_spec.bit_depth,
                "value_range": list(target_spec.range), "counts_per_kelvin": target_spec.counts_per_kelvin}}
    return Contract("translator", (("rgb", "uint8", (*shape, 3)),),
                    serving_fn(generator, multiple, target_spec), tuple(outputs), meta)


def _sr(generator, target_spec, shape):
    import tensorflow as tf

    from thermal_keras.sr.inference import default_overlap
    from thermal_keras.sr.networks import generator_scale

    channels = int(generator.input_shape[-1])

    def serve(lr):
        x = tf.cast(lr, tf.float32) / 255.0
        y = tf.clip_by_value(tf.cast(generator(x, training=False), tf.float32), 0.0, 1.0)
        return {"sr": y, "sr_u8": tf.cast(tf.round(y * 255.0), tf.uint8)}

    meta = {"scale": generator_scale(generator), "channels": channels, "overlap": default_overlap(generator)}
    return Contract("sr", (("lr", "uint8", (*shape, channels)),), serve, ("sr", "sr_u8"), meta)


def _fusion(generator, target_spec, shape):
    import tensorflow as tf

    def serve(ir, visible):
        rgb = tf.cast(visible, tf.float32)
        luma = luma_tensor(rgb)
        pair = tf.concat([tf.cast(ir, tf.float32), luma], axis=-1) / 127.5 - 1.0
        fused = tf.clip_by_value(tf.cast(generator(pair, training=False), tf.float32), -1.0, 1.0)
        fused_y = (fused + 1.0) * 127.5
        # Replacing the luma moves R, G and B alike: BT.601's inverse has ones in its Y column.
        fused_rgb = tf.clip_by_value(tf.round(rgb + (fused_y - luma)), 0.0, 255.0)
        return {"fused": fused, "fused_u8": tf.cast(tf.round(fused_y), tf.uint8),
                "fused_rgb": tf.cast(fused_rgb, tf.uint8)}

    return Contract("fusion", (("ir", "uint8", (*shape, 1)), ("visible", "uint8", (*shape, 3))), serve,
                    ("fused", "fused_u8", "fused_rgb"), {"luma": "BT.601 (0.299, 0.587, 0.114)"})


_BUILDERS = {"translator": _translator, "sr": _sr, "fusion": _fusion}  # one per contract; target_spec: translators'


def contract_for(generator: keras.Model, family: str | None = None, target_spec=None,
                 input_size: tuple[int, int] | None = None) -> Contract:
    """The contract of ``generator`` (family found from the model unless given).

    ``input_size`` ``(H, W)`` fixes the input to batch 1 at that size; ``None`` leaves batch, height
    and width free. ``target_spec`` (translators only) adds the radiometric outputs.
    """
    family = family or generator_family(generator)
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; one of {', '.join(FAMILIES)}")
    shape = (None, None, None) if input_size is None else (1, *input_size)
    return _BUILDERS[family](generator, target_spec, shape)


def tensor_specs(contract: Contract):
    """The contract's inputs as ``tf.TensorSpec`` (named), in order."""
    import tensorflow as tf

    return [tf.TensorSpec(shape, getattr(tf, dtype), name=name) for name, dtype, shape in contract.inputs]
