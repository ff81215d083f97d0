"""Unpaired CycleGAN from two disjoint halves of a paired set (RoadScene-style frame runs)."""

import numpy as np
import pytest
from image_files import save
from PIL import Image

from data_loaders import DatasetError, PairedFiles
from data_loaders.paired import paired_folder
from thermal_keras.config import ConfigError
from thermal_keras.cyclegan.config import CycleGANConfig
from thermal_keras.cyclegan.data import disjoint_halves, training_dataset


def _files(stems):
    return PairedFiles(a_paths=tuple(f"/a/{s}.jpg" for s in stems), b_paths=tuple(f"/b/{s}.jpg" for s in stems))


def test_halves_are_alternate_runs_and_share_no_scene():
    stems = ["FLIR_00010", "FLIR_00020", "FLIR_00300", "FLIR_00320", "FLIR_00900", "FLIR_video_00005"]
    a_half, b_half = disjoint_halves(_files(stems))
    names = lambda files: [p.rsplit("/", 1)[1][:-4] for p in files.a_paths]  # noqa: E731
    # Runs: [10, 20], [300, 320], [900], [video 5] -> A gets runs 1 and 3, B runs 2 and 4.
    assert names(a_half) == ["FLIR_00010", "FLIR_00020", "FLIR_00900"]
    assert names(b_half) == ["FLIR_00300", "FLIR_00320", "FLIR_video_00005"]
    with pytest.raises(DatasetError, match="cannot be split into two disjoint halves"):
        disjoint_halves(_files(["FLIR_00010", "FLIR_00011"]))


def test_training_batches_take_rgb_and_thermal_from_different_halves(tmp_path):
    rng = np.random.default_rng(0)
    for i, number in enumerate((10, 20, 300, 320)):  # two runs: A = frames 10, 20; B = 300, 320
        save(tmp_path / "A" / f"FLIR_{number:05d}.png", np.full((16, 16, 3), 40 * i, np.uint8))
        save(tmp_path / "B" / f"FLIR_{number:05d}.png", rng.integers(0, 255, (16, 16), dtype=np.uint8))
    files = paired_folder(tmp_path)
    config = CycleGANConfig(image_size=16, load_size=0, flip=False, batch_size=1, epochs=1, decay_epochs=0,
                            disjoint_halves=True)
    batches = list(training_dataset(files, config, first_epoch=0, steps_per_epoch=4))
    assert len(batches) == 4
    rgb_levels = {round(float((a.numpy()[0, 0, 0, 0] + 1) * 127.5)) for a, _ in batches}
    assert rgb_levels <= {0, 40}  # RGB only from frames 10 and 20 (four steps would show all four frames)
    thermal = {tuple(np.round(b.numpy().ravel()[:8], 4)) for _, b in batches}
    b_half = [np.round((np.asarray(Image.open(p), np.float32) / 127.5 - 1).ravel()[:8], 4) for p in files.b_paths[2:]]
    assert thermal <= {tuple(x) for x in b_half}  # thermal only from frames 300 and 320
    with pytest.raises(ConfigError, match="disjoint_halves"):
        CycleGANConfig(paired=True, disjoint_halves=True)
