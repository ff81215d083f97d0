"""A fresh process that imports nothing but the loader can load every shipped preset and a saved
``.keras`` generator: the Keras classes they hold (the SR blocks, the U-Net's layers, edge padding)
are registered by the loaders themselves (:func:`thermal_keras.networks.register_saved_layers`), not by
whatever else a process happened to import first. A notebook's first call is such a process."""

import os
import subprocess
import sys

import pytest

from thermal_keras.models import build_generator
from thermal_keras.presets import preset_names

LOAD_IN_A_FRESH_PROCESS = """
import sys
from thermal_keras.model_files import load_keras_model
from thermal_keras.presets import load_preset, preset_names

names = preset_names()
for name in names:
    load_preset(name)
model = load_keras_model(sys.argv[1])
print("loaded", len(names), "presets and", model.name)
"""


@pytest.mark.slow  # about 40 s (a fresh interpreter loads every preset): `make test-slow`
def test_presets_and_keras_files_load_in_a_process_that_built_nothing(tmp_path):
    path = tmp_path / "sr_generator.keras"
    build_generator("swift_srgan", scale=4, channels=1).save(path)
    proc = subprocess.run([sys.executable, "-c", LOAD_IN_A_FRESH_PROCESS, str(path)], capture_output=True,
                          text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"loaded {len(preset_names())} presets and" in proc.stdout
