"""Quick held-out checks of a preset (seconds on a CPU): what ``make presets`` records in the preset
and what the tests re-measure on the shipped weights.

Translation presets are scored on the first ``n`` held-out synthetic scenes of their recipe's seed
(the ``test`` split the training run never saw) against the grey-of-RGB and mean-image baselines;
the mean image comes from the first ``n_mean`` training scenes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path


def translation_check(preset, n: int = 16, n_mean: int = 64) -> dict:
    """:func:`thermal_keras.pix2pix.evaluate.evaluate_translation` of a translation preset on ``n``
    held-out synthetic pairs rendered as its recipe rendered them (size, seed, layout)."""
    from data_loaders import synthetic
    from thermal_keras.data.sources import load_split
    from thermal_keras.pix2pix.evaluate import evaluate_translation

    run = preset.info["run_config"]
    size = run["synthetic_size"] or run["load_size"] or run["image_size"]
    with tempfile.TemporaryDirectory() as tmp:
        root = synthetic.write_dataset(Path(tmp) / "set", splits={run["train_split"]: n_mean, run["eval_split"]: n},
                                       size=size, seed=run["seed"], layout=run["layout"])
        train = load_split(root, run["layout"], run["train_split"], run["thermal"])
        held_out = load_split(root, run["layout"], run["eval_split"], run["thermal"])
        return evaluate_translation(preset.generator, held_out, train, run["image_size"])
