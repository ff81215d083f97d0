"""Pretrained presets: trained generators shipped inside the package, loaded by name.

The shape follows keras-hub's ``from_preset``::

    from thermal_keras import presets
    presets.list_presets()                       # [{"name": ..., "family": ..., "task": ...}, ...]
    generator = presets.from_preset("pix2pix_rgb2thermal_128")   # a float32 keras.Model
    preset = presets.load_preset("pix2pix_rgb2thermal_128")      # generator + its card and metadata

Each preset is a folder ``thermal_keras/presets/<name>/`` holding

* ``preset.json``: family, task, the generator's Keras architecture, how its output maps to files
  (``target_spec``: counts and °C for radiometric models), the training recipe, the held-out scores
  and the SHA-256 of the weights file;
* ``weights.npz``: the generator's weights stored as float16 (they load into float32);
* ``MODEL_CARD.md``: the same facts for a reader.

Loading checks the weights file against the SHA-256 and refuses a preset that does not match, naming
the file. Presets are written by :func:`write_preset` (``thermal-keras presets package``, which
``make presets`` runs after each recipe's training).
"""

from __future__ import annotations

from thermal_keras.presets.library import (  # noqa: F401  (the package's names)
    CARD_FILE, FAMILIES, PRESET_FILE, PRESET_ROOT, Preset, PresetError, WEIGHTS_FILE, from_preset,
    is_preset_dir, list_presets, load_preset, preset_names, preset_path, read_info, sha256_of,
    weights_source, write_preset)

# Scoring a preset against its baselines, re-exported beside loading.
from thermal_keras.presets.evaluate import evaluate_preset, format_preset_report
