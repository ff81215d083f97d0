"""Shared test set-up: quiet TensorFlow, fixed seeds, paths to optional real data."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as the thermal-keras command sets it

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
LLVIP_SAMPLE = REPO_ROOT.parent / "shared" / "data" / "llvip_sample"


@pytest.fixture(autouse=True)
def _seed_everything():
    import keras

    keras.utils.set_random_seed(1234)
    yield


@pytest.fixture
def llvip_sample_root():
    """The 32 real LLVIP pairs in ../shared; the test skips when they are not there."""
    if not (LLVIP_SAMPLE / "visible" / "train").is_dir():
        pytest.skip(f"LLVIP sample not found at {LLVIP_SAMPLE} (it lives in ../shared, outside the repo)")
    return LLVIP_SAMPLE
