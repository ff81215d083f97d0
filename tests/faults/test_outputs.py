"""Never lose a user's data: what the writing commands may write, checked before any work.

Commands: export, translate, upscale, export-sr, fuse, evaluate --json. Each refusal names the path,
exits 2 and leaves every existing file as it was (``run_cli(..., watch=tmp_path)``); the allowed cases
(``--overwrite`` of an earlier output, new names beside unrelated files) exit 0 and touch nothing else.
Refusals that must come before the model loads are run with a model path that does not exist, so a
check made too late would report the missing model instead.
"""

import os
import shutil
import stat

import numpy as np
import pytest
from fault_tools import changed_or_removed, tree_hashes
from PIL import Image

NO_MODEL = "no_such_model.keras"


def _photo(path, seed=0, size=(40, 40), grey=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, size if grey else (*size, 3), dtype=np.uint8)).save(path)
    return path


def _photos(folder, names=("a.png", "b.jpg")):
    for i, name in enumerate(names):
        _photo(folder / name, seed=i)
    return folder


def _pairs(root, names=("a.png", "b.png")):
    for i, name in enumerate(names):
        _photo(root / "ir" / name, seed=i, grey=True)
        _photo(root / "vis" / name, seed=10 + i)
    return root / "ir", root / "vis"


def _sentinel(path, text="keep me"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _no_temporaries(root):
    return [str(p) for p in root.rglob(".tmp-*")]


@pytest.fixture(scope="module")
def sr_model(tmp_path_factory):
    """A tiny 2x Swift-SRGAN generator (RGB) as a .keras file."""
    from thermal_keras.models import build_generator

    path = tmp_path_factory.mktemp("sr_model") / "sr.keras"
    build_generator("swift_srgan", scale=2, channels=3, num_channels=8, num_blocks=1).save(path)
    return path


@pytest.fixture
def run_copy(tiny_run, tmp_path):
    return shutil.copytree(tiny_run, tmp_path / "run")


# --- 1. An existing output needs --overwrite (checked before the model loads) -----------------------

def _existing_output_case(kind, tmp_path):
    """``(argv, the existing output)`` of a command whose output already exists."""
    if kind == "translate folder":
        _photos(tmp_path / "in")
        return (["translate", "--model", NO_MODEL, tmp_path / "in", tmp_path / "out"],
                _sentinel(tmp_path / "out" / "b.png"))
    if kind == "translate file":
        return (["translate", "--model", NO_MODEL, _photo(tmp_path / "a.jpg"), tmp_path / "t.png"],
                _sentinel(tmp_path / "t.png"))
    if kind == "translate colormap":
        _photos(tmp_path / "in")
        return (["translate", "--model", NO_MODEL, tmp_path / "in", tmp_path / "out", "--colormap", "inferno"],
                _sentinel(tmp_path / "out" / "a_inferno.png"))
    if kind == "upscale folder":
        _photos(tmp_path / "in")
        return (["upscale", tmp_path / "in", tmp_path / "out", "--model", NO_MODEL, "--scale", "2"],
                _sentinel(tmp_path / "out" / "a.png"))
    if kind == "upscale file":
        return (["upscale", _photo(tmp_path / "a.png"), tmp_path / "big.png", "--model", NO_MODEL, "--scale", "2"],
                _sentinel(tmp_path / "big.png"))
    if kind == "fuse folder":
        ir, vis = _pairs(tmp_path)
        return ["fuse", "--model", NO_MODEL, ir, vis, tmp_path / "fused"], _sentinel(tmp_path / "fused" / "b.png")
    if kind == "fuse file":
        ir, vis = _pairs(tmp_path)
        return (["fuse", "--method", "average", ir / "a.png", vis / "a.png", tmp_path / "f.png"],
                _sentinel(tmp_path / "f.png"))
    if kind == "evaluate --json":
        _photos(tmp_path / "real", ("0.png", "1.png"))
        _photos(tmp_path / "fake", ("0.png", "1.png"))
        return (["evaluate", "--real", tmp_path / "real", "--fake", tmp_path / "fake", "--weights", "none",
                 "--json", tmp_path / "scores.json"], _sentinel(tmp_path / "scores.json", "{}"))
    raise AssertionError(kind)


EXISTING = ["translate folder", "translate file", "translate colormap", "upscale folder", "upscale file",
            "fuse folder", "fuse file", "evaluate --json"]


@pytest.mark.parametrize("kind", EXISTING)
def test_an_existing_output_needs_overwrite(kind, tmp_path, run_cli):
    argv, existing = _existing_output_case(kind, tmp_path)
    outcome = run_cli(argv, watch=tmp_path)
    assert outcome.code == 2
    assert f"{existing} exists; pass --overwrite to replace it" in outcome.error_line
    assert _no_temporaries(tmp_path) == []


def test_the_message_counts_the_other_existing_outputs(tmp_path, run_cli):
    _photos(tmp_path / "in", ("a.png", "b.png", "c.png"))
    for name in ("a.png", "b.png", "c.png"):
        _sentinel(tmp_path / "out" / name)
    outcome = run_cli(["translate", "--model", NO_MODEL, tmp_path / "in", tmp_path / "out"], watch=tmp_path)
    assert outcome.code == 2
    assert "a.png exists; pass --overwrite" in outcome.error_line
    assert "2 more of the outputs exist" in outcome.error_line


@pytest.mark.parametrize("command", ["export", "export-sr"])
def test_an_existing_export_needs_overwrite(command, run_copy, tiny_export, sr_model, tmp_path, run_cli):
    out = shutil.copytree(tiny_export, tmp_path / "exported")
    source = ["--run", run_copy] if command == "export" else ["--model", sr_model]
    outcome = run_cli([command, *source, "--out", out], watch=tmp_path)
    assert outcome.code == 2
    assert f"--out {out} exists; pass --overwrite to replace it" in outcome.error_line


@pytest.mark.parametrize("where, expected", [
    ("scores.json", "scores.json exists; pass --overwrite to replace it"),
    ("run/metrics.json", "is the run's metrics.json, which evaluate --run writes anyway"),
    ("run/config.json", "config.json is one of the inputs"),
])
def test_evaluate_run_json_follows_the_rules(where, expected, run_copy, tmp_path, run_cli):
    _sentinel(tmp_path / "scores.json", "{}")
    outcome = run_cli(["evaluate", "--run", run_copy, "--json", tmp_path / where, "--overwrite"
                       if where != "scores.json" else "--split=test"], watch=tmp_path)
    assert outcome.code == 2
    assert expected in outcome.error_line


def test_export_to_the_default_folder_twice_needs_overwrite(run_copy, tmp_path, run_cli):
    assert run_cli(["export", "--run", run_copy]).code == 0
    outcome = run_cli(["export", "--run", run_copy], watch=tmp_path)
    assert outcome.code == 2
    assert f"{run_copy / 'saved_model'} exists; pass --overwrite" in outcome.error_line
    before = tree_hashes(tmp_path)
    assert run_cli(["export", "--run", run_copy, "--overwrite"]).code == 0
    after = tree_hashes(tmp_path)
    assert [k for k in changed_or_removed(before, after) if not k.startswith("run/saved_model/")] == []
    assert (run_copy / "saved_model" / "saved_model.pb").is_file() and _no_temporaries(tmp_path) == []


# --- 1. Never the inputs, even with --overwrite -------------------------------------------------------

def _input_case(kind, tmp_path, run_copy, sr_model):
    """``(argv, text the message must hold)``."""
    if kind == "translate into its input folder":
        folder = _photos(tmp_path / "in", ("a.jpg",))
        return ["translate", "--model", NO_MODEL, folder, folder], f"{folder} is the input folder"
    if kind == "translate over its input file":
        photo = _photo(tmp_path / "a.png")
        return ["translate", "--model", NO_MODEL, photo, photo], f"{photo} is one of the inputs"
    if kind == "translate over its model file":
        model = _sentinel(tmp_path / "model.png")  # a (silly) model name that is an output name
        photo = _photo(tmp_path / "in" / "model.jpg")
        return ["translate", "--model", model, photo, tmp_path], f"{model} is one of the inputs"
    if kind == "upscale into its input folder":
        folder = _photos(tmp_path / "in")
        return ["upscale", folder, folder, "--model", NO_MODEL, "--scale", "2"], f"{folder} is the input folder"
    if kind == "upscale over its input file":
        photo = _photo(tmp_path / "a.png")
        return ["upscale", photo, photo, "--model", NO_MODEL, "--scale", "2"], f"{photo} is one of the inputs"
    if kind == "fuse into the IR folder":
        ir, vis = _pairs(tmp_path)
        return ["fuse", "--method", "average", ir, vis, ir], f"{ir} is the input folder"
    if kind == "fuse over the visible file":
        ir, vis = _pairs(tmp_path)
        return (["fuse", "--method", "pyramid", ir / "a.png", vis / "a.png", vis / "a.png"],
                f"{vis / 'a.png'} is one of the inputs")
    if kind == "evaluate --json over an image":
        _photos(tmp_path / "real", ("0.png", "1.png"))
        _photos(tmp_path / "fake", ("0.png", "1.png"))
        target = tmp_path / "fake" / "1.png"
        return (["evaluate", "--real", tmp_path / "real", "--fake", tmp_path / "fake", "--weights", "none",
                 "--json", target], f"{target} is one of the inputs")
    if kind == "export into the run itself":
        return ["export", "--run", run_copy, "--out", run_copy], f"--out {run_copy} is {run_copy}"
    if kind == "export over the run's parent":
        return ["export", "--run", run_copy, "--out", tmp_path], f"--out {tmp_path} holds {run_copy}"
    if kind == "export into the run's checkpoints":
        out = run_copy / "checkpoints"
        return ["export", "--run", run_copy, "--out", out], f"--out {out} exists and is a folder, not an earlier export"
    if kind == "export inside the run's samples":
        out = run_copy / "samples" / "sm"
        return ["export", "--run", run_copy, "--out", out], f"--out {out} is inside one of the run folder"
    if kind == "export over the run's config.json":
        out = run_copy / "config.json"
        return ["export", "--run", run_copy, "--out", out], f"--out {out} exists and is a file"
    if kind == "export over a regular file":
        out = _sentinel(tmp_path / "notes.txt")
        return ["export", "--run", run_copy, "--out", out], f"--out {out} exists and is a file"
    if kind == "export over an unrelated folder":
        out = tmp_path / "holiday"
        _photos(out)
        return ["export", "--run", run_copy, "--out", out], f"--out {out} exists and is a folder, not an earlier export"
    if kind == "export-sr over its model file":
        model = shutil.copy(sr_model, tmp_path / "sr.keras")
        return ["export-sr", "--model", model, "--out", model], f"--out {model} is {model}, which this command reads"
    if kind == "export-sr into its run folder":
        run = tmp_path / "sr_run"
        run.mkdir()
        shutil.copy(sr_model, run / "generator.keras")
        _sentinel(run / "config.json", "{}")
        return ["export-sr", "--model", run, "--out", run], f"--out {run} holds {run / 'generator.keras'}"
    if kind == "export-sr over a regular file":
        out = _sentinel(tmp_path / "sr_export")
        return ["export-sr", "--model", sr_model, "--out", out], f"--out {out} exists and is a file"
    if kind == "translate over a folder":
        _photos(tmp_path / "in")
        (tmp_path / "out" / "a.png").mkdir(parents=True)
        _sentinel(tmp_path / "out" / "a.png" / "inside.txt")
        return (["translate", "--model", NO_MODEL, tmp_path / "in", tmp_path / "out"],
                f"{tmp_path / 'out' / 'a.png'} is a folder")
    if kind == "evaluate --json over a folder":
        _photos(tmp_path / "real", ("0.png", "1.png"))
        _photos(tmp_path / "fake", ("0.png", "1.png"))
        (tmp_path / "scores.json").mkdir()
        return (["evaluate", "--real", tmp_path / "real", "--fake", tmp_path / "fake", "--weights", "none",
                 "--json", tmp_path / "scores.json"], f"{tmp_path / 'scores.json'} is a folder")
    raise AssertionError(kind)


INPUT_CASES = ["translate into its input folder", "translate over its input file", "translate over its model file",
               "upscale into its input folder", "upscale over its input file", "fuse into the IR folder",
               "fuse over the visible file", "evaluate --json over an image", "export into the run itself",
               "export over the run's parent", "export into the run's checkpoints", "export inside the run's samples",
               "export over the run's config.json", "export over a regular file", "export over an unrelated folder",
               "export-sr over its model file", "export-sr into its run folder", "export-sr over a regular file",
               "translate over a folder", "evaluate --json over a folder"]


@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "--overwrite"])
@pytest.mark.parametrize("kind", INPUT_CASES)
def test_inputs_and_foreign_things_are_never_replaced(kind, overwrite, tmp_path, run_copy, sr_model, run_cli):
    argv, expected = _input_case(kind, tmp_path, run_copy, sr_model)
    outcome = run_cli(argv + (["--overwrite"] if overwrite else []), watch=tmp_path)
    assert outcome.code == 2
    assert expected in outcome.error_line
    assert _no_temporaries(tmp_path) == []


# --- 1. Output names that collide ----------------------------------------------------------------------

@pytest.mark.parametrize("command, names, colliding", [
    ("translate", ("x.jpg", "x.png"), "x.png"),
    ("translate", ("x.png", "x.tif"), "x.png"),
    ("translate --colormap", ("a.png", "a_inferno.jpg"), "a_inferno.png"),
    ("upscale", ("x.bmp", "x.jpeg"), "x.png"),
])
def test_colliding_output_names_are_refused(command, names, colliding, tmp_path, run_cli):
    folder = _photos(tmp_path / "in", names)
    out = tmp_path / "out"
    argv = {"translate": ["translate", "--model", NO_MODEL, folder, out],
            "translate --colormap": ["translate", "--model", NO_MODEL, folder, out, "--colormap", "inferno"],
            "upscale": ["upscale", folder, out, "--model", NO_MODEL, "--scale", "2"]}[command]
    outcome = run_cli(argv + ["--overwrite"], watch=tmp_path)
    assert outcome.code == 2
    assert f"would both be written to {out / colliding}" in outcome.error_line
    assert all(str(folder / name) in outcome.error_line for name in names)
    assert not out.exists()


def test_fuse_refuses_two_files_of_one_name(tmp_path, run_cli):
    ir, vis = _pairs(tmp_path)
    _photo(ir / "a.jpg", grey=True)
    outcome = run_cli(["fuse", "--method", "average", ir, vis, tmp_path / "out"], watch=tmp_path)
    assert outcome.code == 2
    assert "a.png" in outcome.error_line and "a.jpg" in outcome.error_line and "share the name" in outcome.error_line
    assert not (tmp_path / "out").exists()


# --- 2. Unwritable or invalid output paths ---------------------------------------------------------------

def _location_case(kind, tmp_path):
    """``(argv, text the message must hold)``; ``blocker`` is a regular file on the output's way."""
    blocker = _sentinel(tmp_path / "blocker")
    if kind == "translate folder under a file":
        return ["translate", "--model", NO_MODEL, _photos(tmp_path / "in"), blocker / "out"], f"{blocker} is a file"
    if kind == "translate file under a file":
        return (["translate", "--model", NO_MODEL, _photo(tmp_path / "a.png"), blocker / "deep" / "t.png"],
                f"cannot write {blocker / 'deep' / 't.png'}: {blocker} is a file")
    if kind == "translate folder onto a file":
        return ["translate", "--model", NO_MODEL, _photos(tmp_path / "in"), blocker], f"{blocker} is a file"
    if kind == "translate to a .jpg":
        return (["translate", "--model", NO_MODEL, _photo(tmp_path / "a.png"), tmp_path / "t.jpg"],
                f"{tmp_path / 't.jpg'}: translate writes PNG files")
    if kind == "translate a too long name":
        name = "n" * 300 + ".png"
        return (["translate", "--model", NO_MODEL, _photo(tmp_path / "a.png"), tmp_path / name],
                "is too long")
    if kind == "upscale under a file":
        return (["upscale", _photos(tmp_path / "in"), blocker / "big", "--model", NO_MODEL, "--scale", "2"],
                f"{blocker} is a file")
    if kind == "upscale to a .tif":
        return (["upscale", _photo(tmp_path / "a.png"), tmp_path / "big.tif", "--model", NO_MODEL, "--scale", "2"],
                f"{tmp_path / 'big.tif'}: the output is a PNG file")
    if kind == "fuse under a file":
        ir, vis = _pairs(tmp_path)
        return ["fuse", "--method", "average", ir, vis, blocker / "fused"], f"{blocker} is a file"
    if kind == "fuse to a .jpg":
        ir, vis = _pairs(tmp_path)
        return (["fuse", "--method", "average", ir / "a.png", vis / "a.png", tmp_path / "f.jpg"],
                f"{tmp_path / 'f.jpg'}: fuse writes PNG files")
    if kind == "evaluate --json under a file":
        _photos(tmp_path / "real", ("0.png", "1.png"))
        _photos(tmp_path / "fake", ("0.png", "1.png"))
        return (["evaluate", "--real", tmp_path / "real", "--fake", tmp_path / "fake", "--weights", "none",
                 "--json", blocker / "s.json"], f"cannot write {blocker / 's.json'}: {blocker} is a file")
    raise AssertionError(kind)


LOCATIONS = ["translate folder under a file", "translate file under a file", "translate folder onto a file",
             "translate to a .jpg", "translate a too long name", "upscale under a file", "upscale to a .tif",
             "fuse under a file", "fuse to a .jpg", "evaluate --json under a file"]


@pytest.mark.parametrize("kind", LOCATIONS)
def test_unwritable_output_paths_are_named_before_any_work(kind, tmp_path, run_cli):
    argv, expected = _location_case(kind, tmp_path)
    outcome = run_cli(argv, watch=tmp_path)
    assert outcome.code == 2
    assert expected in outcome.error_line
    assert (tmp_path / "blocker").read_text() == "keep me"


@pytest.mark.parametrize("command", ["export", "export-sr"])
def test_export_under_a_regular_file_is_named(command, run_copy, sr_model, tmp_path, run_cli):
    blocker = _sentinel(tmp_path / "blocker")
    source = ["--run", run_copy] if command == "export" else ["--model", sr_model]
    outcome = run_cli([command, *source, "--out", blocker / "sm"], watch=tmp_path)
    assert outcome.code == 2
    assert f"cannot write {blocker / 'sm'}: {blocker} is a file" in outcome.error_line


def test_a_read_only_folder_is_named(tmp_path, run_cli, monkeypatch):
    # Tests run as root, which may write anywhere: stand in for a read-only folder.
    folder = tmp_path / "readonly"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(folder) else real_access(path, mode))
    outcome = run_cli(["translate", "--model", NO_MODEL, _photo(tmp_path / "a.png"), folder / "t.png"], watch=tmp_path)
    assert outcome.code == 2
    assert f"cannot write {folder / 't.png'}: the folder {folder} is not writable" in outcome.error_line


# --- Allowed: new names beside other files, --overwrite of earlier outputs -------------------------------

def _hashes_except(root, prefixes):
    return {k: v for k, v in tree_hashes(root).items() if not any(k.startswith(p) for p in prefixes)}


def test_translate_beside_unrelated_files_then_overwrite_its_own(tiny_export, tmp_path, run_cli):
    folder = _photos(tmp_path / "in")
    out = tmp_path / "out"
    _sentinel(out / "notes.txt")
    _sentinel(out / "other.png")
    argv = ["translate", "--model", tiny_export, folder, out, "--colormap", "inferno"]
    assert run_cli(argv, watch=tmp_path).code == 0  # new names only: no --overwrite needed
    written = {"a.png", "b.png", "a_inferno.png", "b_inferno.png"}
    assert written <= {p.name for p in out.iterdir()}
    again = run_cli(argv, watch=tmp_path)
    assert again.code == 2 and f"{out / 'a.png'} exists; pass --overwrite" in again.error_line
    (out / "a.png").write_bytes(b"stale")
    before = _hashes_except(tmp_path, [f"out/{name}" for name in written])
    assert run_cli(argv + ["--overwrite"]).code == 0
    assert _hashes_except(tmp_path, [f"out/{name}" for name in written]) == before
    assert np.asarray(Image.open(out / "a.png")).shape == (40, 40)  # the stale file was replaced
    assert _no_temporaries(tmp_path) == []


def test_translate_into_a_folder_inside_the_input_folder(tiny_export, tmp_path, run_cli):
    folder = _photos(tmp_path / "in", ("a.jpg",))
    assert run_cli(["translate", "--model", tiny_export, folder, folder / "thermal"], watch=tmp_path).code == 0
    assert (folder / "thermal" / "a.png").is_file()


def test_upscale_overwrites_only_its_own_outputs(sr_model, tmp_path, run_cli):
    folder = _photos(tmp_path / "in")
    out = tmp_path / "out"
    _sentinel(out / "c.png")
    argv = ["upscale", folder, out, "--model", sr_model, "--scale", "2", "--tile", "32"]
    assert run_cli(argv, watch=tmp_path).code == 0
    assert run_cli(argv, watch=tmp_path).code == 2
    before = _hashes_except(tmp_path, ["out/a.png", "out/b.png"])
    assert run_cli(argv + ["--overwrite"]).code == 0
    assert _hashes_except(tmp_path, ["out/a.png", "out/b.png"]) == before
    assert np.asarray(Image.open(out / "a.png")).shape == (80, 80, 3)


def test_fuse_and_evaluate_json_overwrite_their_own_outputs(tmp_path, run_cli):
    ir, vis = _pairs(tmp_path)
    fuse = ["fuse", "--method", "average", ir, vis, tmp_path / "fused"]
    assert run_cli(fuse, watch=tmp_path).code == 0
    assert run_cli(fuse, watch=tmp_path).code == 2
    assert run_cli(fuse + ["--overwrite"], watch=ir.parent / "ir").code == 0
    scores = tmp_path / "scores.json"
    evaluate = ["evaluate", "--real", vis, "--fake", tmp_path / "fused", "--weights", "none", "--json", scores]
    assert run_cli(evaluate, watch=tmp_path).code == 0
    assert run_cli(evaluate, watch=tmp_path).code == 2
    scores.write_text("old")
    assert run_cli(evaluate + ["--overwrite"], watch=tmp_path / "fused").code == 0
    assert '"paired"' in scores.read_text()


def test_export_sr_overwrites_an_earlier_export(sr_model, tmp_path, run_cli):
    out = tmp_path / "sr_export"
    assert run_cli(["export-sr", "--model", sr_model, "--out", out]).code == 0
    _sentinel(tmp_path / "other.txt")
    before = _hashes_except(tmp_path, ["sr_export"])
    assert run_cli(["export-sr", "--model", sr_model, "--out", out], watch=tmp_path).code == 2
    assert run_cli(["export-sr", "--model", sr_model, "--out", out, "--overwrite"]).code == 0
    assert _hashes_except(tmp_path, ["sr_export"]) == before and _no_temporaries(tmp_path) == []


# --- 6. Ordinary permissions (the umask), atomic names ----------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_exports_and_outputs_get_the_umask_permissions(umask, run_copy, tiny_export, tmp_path, run_cli):
    from thermal_keras.export import load_keras_model, save_keras

    previous = os.umask(umask)
    try:
        assert run_cli(["export", "--run", run_copy, "--out", tmp_path / "exported"]).code == 0
        save_keras(load_keras_model(run_copy / "generator.keras"), tmp_path / "copy.keras")
        assert run_cli(["translate", "--model", tiny_export, _photo(tmp_path / "a.png"), tmp_path / "t.png"]).code == 0
    finally:
        os.umask(previous)
    paths = [tmp_path / "exported", *sorted((tmp_path / "exported").rglob("*")), tmp_path / "copy.keras",
             tmp_path / "t.png"]
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert mode == expected, f"{path}: {oct(mode)} != {oct(expected)}"
