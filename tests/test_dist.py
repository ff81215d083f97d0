"""The package as a user installs it: ``python -m build`` (what ``make dist`` runs) writes an sdist and a
wheel built from that sdist, and the wheel, installed without the source tree in a fresh venv, lists the
shipped presets and translates an image with one.

The fresh venv takes its dependencies (TensorFlow, Keras, ...) from this test's environment through a
``.pth`` line, so nothing is downloaded; ``thermal_keras`` itself must come from the wheel.
"""

import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
PRESETS = ("pix2pix_rgb2thermal_128", "cyclegan_rgb2thermal_128", "swift_srgan_4x_grey", "swift_srgan_4x_rgb",
           "fusiongan_vis_ir")
TIMEOUT = 1800  # a hang guard, not a speed bound


def _run(command, **kwargs):
    proc = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert proc.returncode == 0, f"{command[:4]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """``(sdist, wheel)`` built by ``python -m build`` from a copy of the tracked files (setuptools writes
    a build/ folder into its source tree, and the repository's build/ holds preset runs)."""
    root = tmp_path_factory.mktemp("dist")
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("needs the git checkout to copy the tracked files")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    source = root / "source"
    for name in filter(None, files.decode().split("\0")):
        if (REPO_ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, source / name)
    _run([sys.executable, "-m", "build", "--outdir", root / "out", source])
    [sdist], [wheel] = sorted((root / "out").glob("*.tar.gz")), sorted((root / "out").glob("*.whl"))
    return sdist, wheel


def test_the_sdist_and_the_wheel_hold_every_preset(dist):
    sdist, wheel = dist
    wheel_names = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as archive:
        sdist_names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for preset in PRESETS:
        for part in ("preset.json", "weights.npz", "MODEL_CARD.md"):
            assert f"thermal_keras/presets/{preset}/{part}" in wheel_names, f"wheel lacks {preset}/{part}"
            assert f"thermal_keras/presets/{preset}/{part}" in sdist_names, f"sdist lacks {preset}/{part}"
    assert "data_loaders/synthetic.py" in wheel_names
    assert not [name for name in wheel_names if name.startswith(("tests/", "notebooks/", "benchmarks/"))]


def test_the_wheel_in_a_fresh_venv_lists_presets_and_translates(dist, tmp_path):
    _, wheel = dist
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # Dependencies from this environment; its .pth files (an editable thermal_keras among them) are not read.
    (site / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # pip itself comes through that line too, so the wheel's console script gets this venv's python.
    _run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel])
    work = tmp_path / "work"
    work.mkdir()
    where = _run([python, "-c", "import thermal_keras; print(thermal_keras.__file__)"], cwd=work).stdout.strip()
    assert Path(where).is_relative_to(site), f"thermal_keras imported from {where}, not the wheel"

    cli = [venv / "bin" / "thermal-keras"]
    listing = _run([*cli, "presets"], cwd=work).stdout
    assert all(preset in listing for preset in PRESETS), listing

    rgb = np.random.default_rng(0).integers(0, 256, (128, 160, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(work / "street.png")
    env = {"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    _run([*cli, "translate", "--preset", PRESETS[0], "street.png", "thermal"], cwd=work, env=env)
    [out] = sorted((work / "thermal").glob("*.png"))
    thermal = np.asarray(Image.open(out))
    assert thermal.shape[:2] == (128, 160) and thermal.std() > 0, (thermal.shape, float(thermal.std()))
