"""Structure of the tutorial notebooks: what nbval cannot see from cell outputs alone.

nbval (``make test``) re-runs every notebook and compares the cells tagged ``nbval-check-output``.
These checks read the stored notebooks as JSON (no kernel, milliseconds): the Colab badge and install
cell, one parameter cell at the top, no package code re-defined in a notebook, and stored outputs that
come from one clean top-to-bottom quick-mode run (no errors, no stderr, PNG figures, checked cells
with outputs).
"""

import ast
import functools
import json
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
TUTORIALS = tuple(sorted(p.name for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")))
REPO_URL = "https://github.com/thermal-keras/thermal-keras"
COLAB_PREFIX = "https://colab.research.google.com/github/thermal-keras/thermal-keras/blob/main/notebooks/"
PACKAGES = ("thermal_keras", "data_loaders")
MAX_CELL_LINES = 30
MIN_CHECKED_CELLS = 5
NBVAL_MARKERS = {"NBVAL_CHECK_OUTPUT", "NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP", "NBVAL_RAISES_EXCEPTION"}


def load(name):
    return json.loads((NOTEBOOK_DIR / name).read_text(encoding="utf-8"))


def source(cell):
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def markers(cell):
    """The nbval markers of a cell, from its tags (``nbval-check-output`` -> ``NBVAL_CHECK_OUTPUT``).
    Learners see no marker comments in the code: a comment marker is an error."""
    comments = {line.strip().lstrip("#").strip() for line in source(cell).splitlines()
                if line.strip().startswith("#")}
    assert not comments & NBVAL_MARKERS, f"nbval marker as a comment (use a cell tag): {source(cell)[:80]}"
    tags = {tag.upper().replace("-", "_") for tag in cell.get("metadata", {}).get("tags", [])}
    return tags & NBVAL_MARKERS


@functools.lru_cache(maxsize=1)
def package_names():
    """Public top-level functions and classes of the package modules, e.g. ``build_generator``."""
    names = set()
    for package in PACKAGES:
        for module in (REPO_ROOT / package).rglob("*.py"):
            tree = ast.parse(module.read_text(encoding="utf-8"))
            names.update(node.name for node in tree.body
                         if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"))
    return names


@pytest.fixture(params=TUTORIALS)
def notebook(request):
    path = NOTEBOOK_DIR / request.param
    assert path.is_file(), f"{path} is missing"
    return request.param, load(request.param)


def test_colab_badge_and_install_cell(notebook):
    name, nb = notebook
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and source(first).startswith("# ")
    assert f"({COLAB_PREFIX}{name})" in source(first), f"{name}: the Colab badge must open this notebook"
    setup = source(code_cells(nb)[0])
    level = setup.index('os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"')
    guard = setup.index('if importlib.util.find_spec("thermal_keras") is None:')
    assert level < guard, f"{name}: the log level must be set before anything is installed or imported"
    # The Colab install: repository and ref in two variables; the ref is the branch the badge opens
    # (a release tag that does not exist broke every install cell before).
    badge_ref = COLAB_PREFIX.split("/blob/")[1].split("/")[0]
    assert f'THERMAL_KERAS_REPO = "{REPO_URL}"' in setup and f'THERMAL_KERAS_REF = "{badge_ref}"' in setup
    assert "git+{THERMAL_KERAS_REPO}@{THERMAL_KERAS_REF}" in setup[guard:]
    assert not re.search(r"git\+https://\S+@v[0-9]", setup), f"{name}: a hard-coded release tag"
    # In a clone, the clone itself is installed (editable), never a copy from the network.
    assert '(clone / "pyproject.toml").is_file()' in setup and '["-e", f"{clone}[{extras}]"]' in setup
    assert not re.search(r"^\s*(import|from)\s+(tensorflow|keras|thermal_keras)", setup, re.M), \
        f"{name}: the first code cell must set the log level before anything imports TensorFlow"


@pytest.mark.parametrize("where, tensorflow", [("clone", True), ("clone", False), ("colab", True)])
def test_the_install_cell_installs_the_clone_or_the_repository(where, tensorflow, monkeypatch, tmp_path):
    """The first code cell run with thermal_keras missing: the pip command it would run, from this
    clone's notebooks/ folder or from a folder outside any clone (Colab's /content)."""
    import importlib.util
    import subprocess

    setup = source(code_cells(load(TUTORIALS[0]))[0])
    missing = {"thermal_keras"} | (set() if tensorflow else {"tensorflow"})
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in missing else real_find_spec(name, *a))
    commands = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: commands.append((command, kwargs)))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    monkeypatch.chdir(NOTEBOOK_DIR if where == "clone" else tmp_path)
    exec(compile(setup, "setup cell", "exec"), {})
    [(command, kwargs)] = commands
    extras = "notebooks" if tensorflow else "cpu,notebooks"
    if where == "clone":
        assert command[-2:] == ["-e", f"{REPO_ROOT}[{extras}]"]
    else:
        assert command[-1] == f"thermal-keras[{extras}] @ git+{REPO_URL}@main"
    assert command[1:5] == ["-m", "pip", "install", "-q"] and kwargs == {"check": True}


def test_the_install_cell_does_nothing_where_thermal_keras_is_installed(monkeypatch):
    import subprocess

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("the install cell ran pip"))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    exec(compile(source(code_cells(load(TUTORIALS[0]))[0]), "setup cell", "exec"), {})


def test_one_parameter_cell_before_any_work(notebook):
    name, nb = notebook
    cells = code_cells(nb)
    tagged = [i for i, cell in enumerate(cells) if "parameters" in cell["metadata"].get("tags", [])]
    assert len(tagged) == 1, f"{name}: expected one cell tagged 'parameters', found {len(tagged)}"
    assert tagged[0] <= 2, f"{name}: the parameter cell must follow the setup and import cells"
    assigned = {target.id for node in ast.parse(source(cells[tagged[0]])).body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    assert {"QUICK", "IMAGE_SIZE", "BATCH_SIZE", "DATA_DIR", "SEED"} <= assigned, assigned
    assert "THERMAL_KERAS_QUICK" in source(cells[tagged[0]])
    if name != "01_data_pipelines.ipynb":  # 01 runs no model
        assert "MIXED_PRECISION" in assigned, assigned
    if name not in ("01_data_pipelines.ipynb", "05_evaluation_fid_kid.ipynb"):  # 05 scores, trains nothing
        assert "STEPS" in assigned, assigned


def test_notebooks_use_the_package_without_redefining_it(notebook):
    name, nb = notebook
    ours = package_names()
    assert {"build_generator", "paired_dataset", "export_saved_model"} <= ours  # the scan finds the API
    text = "\n".join(source(cell) for cell in code_cells(nb))
    assert re.search(r"^from thermal_keras[ .]", text, re.M), f"{name} must import thermal_keras"
    assert "tf.keras" not in text and "tensorflow_addons" not in text
    for cell in code_cells(nb):
        for node in ast.walk(ast.parse(source(cell))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                assert node.name not in ours, f"{name} re-defines the package's {node.name}"
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                assert not bases & {"keras.Model", "keras.layers.Layer", "layers.Layer"}, \
                    f"{name}: models and layers belong in the package ({node.name})"


def test_stored_outputs_come_from_one_clean_quick_run(notebook):
    name, nb = notebook
    cells = code_cells(nb)
    assert [cell["execution_count"] for cell in cells] == list(range(1, len(cells) + 1)), \
        f"{name}: run it top to bottom in a fresh kernel (`make notebooks`)"
    outputs = [output for cell in cells for output in cell["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], f"{name}: stderr output stored (nbval fails on it)"
    kinds = [kind for o in outputs for kind in o.get("data", {})]
    assert kinds.count("image/png") >= 3 and "image/svg+xml" not in kinds
    settings = "".join(text for o in outputs if o.get("name") == "stdout" for text in o["text"])
    assert "quick mode" in settings, f"{name}: stored outputs must be those of quick mode"


def test_nbval_markers_check_results_and_ignore_timings(notebook):
    name, nb = notebook
    cells = code_cells(nb)
    checked = [cell for cell in cells if "NBVAL_CHECK_OUTPUT" in markers(cell)]
    assert len(checked) >= MIN_CHECKED_CELLS, f"{name}: only {len(checked)} cells checked by nbval"
    assert all(cell["outputs"] for cell in checked), f"{name}: a checked cell has no stored output"
    assert not any("NBVAL_SKIP" in markers(cell) for cell in cells), f"{name}: no cell may be skipped"
    assert "nbval" not in json.dumps(nb["metadata"])
    for cell in cells:
        varying = re.search(r"perf_counter|verbose=2", source(cell))
        if varying:
            assert "NBVAL_IGNORE_OUTPUT" in markers(cell), f"{name}: timings/progress not marked:\n{source(cell)}"


NO_DATASET = {"00_quickstart.ipynb", "05_evaluation_fid_kid.ipynb"}  # synthetic and generated images only
NO_PRESET = {"01_data_pipelines.ipynb"}  # the data lesson trains nothing
DEVELOPER_WORDS = re.compile(r"\bCI\b|\bmachines?\b|\.\./shared|seed blog|README gives")
TEMPORARY_PATH = re.compile(r"/tmp/|thermal-keras-0\d-|/root/|/home/")


REAL_FIRST = {"00_quickstart.ipynb", "02_pix2pix_rgb_to_thermal.ipynb"}  # open with the RoadScene section


def test_sections_a_learner_expects(notebook):
    name, nb = notebook
    headings = [line for cell in nb["cells"] if cell["cell_type"] == "markdown"
                for line in source(cell).splitlines() if line.startswith("## ")]
    assert "## Run on a GPU" in headings, f"{name}: no GPU section"
    first = headings[2:4] if name in REAL_FIRST else headings[2:3]  # after Setup and Parameters
    if name in REAL_FIRST:  # issue 27: a model trained on real photographs opens the notebook
        assert first[0] == "## Real photographs first", f"{name}: real frames must come first: {headings}"
    if name not in NO_PRESET:
        assert first[-1] == "## Start from a pretrained model", f"{name}: then the preset: {headings}"
    if name not in NO_DATASET:
        assert "## Get the data" in headings, f"{name}: no data section"
        text = "\n".join(source(cell) for cell in code_cells(nb))
        assert "catalog.prepare_data(" in text, f"{name}: the data cell must fall back through the catalog"


def test_learner_facing_text_and_outputs(notebook):
    name, nb = notebook
    for cell in nb["cells"]:
        found = DEVELOPER_WORDS.search(source(cell))
        assert not found, f"{name}: developer-facing text {found.group(0)!r} in: {source(cell)[:120]}"
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            assert not TEMPORARY_PATH.search(text), f"{name}: a temporary or home path in an output: {text[:200]}"
    settings = "\n".join(source(cell) for cell in code_cells(nb)[:2])
    dpi = re.search(r'"figure\.dpi"(?:\] =|:) (\d+)', settings)
    assert dpi and int(dpi.group(1)) >= 100, f"{name}: figures need at least 100 dpi"


def test_cells_read_as_a_lesson(notebook):
    name, nb = notebook
    headings = [line for cell in nb["cells"] if cell["cell_type"] == "markdown"
                for line in source(cell).splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## Setup", "## Parameters"] and len(headings) >= 5, headings
    long_cells = [source(cell).splitlines()[0] for cell in code_cells(nb)
                  if len(source(cell).splitlines()) > MAX_CELL_LINES]
    assert not long_cells, f"{name}: cells longer than {MAX_CELL_LINES} lines: {long_cells}"
