# Two entry points: `make demo` and `make test`. Both create .venv on first use and install into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A GPU machine gets the CUDA build of TensorFlow; a CPU machine never downloads CUDA wheels.
GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo yes)
REQUIREMENTS := $(if $(GPU),requirements-gpu.txt,requirements.txt)

.PHONY: demo app dist test test-slow test-backends unit-tests notebooks bench bench-torch bench-real bench-fusion clean presets \
	presets-pix2pix presets-pix2pix-driving presets-cyclegan presets-sr presets-fusion sim-to-real

$(VENV)/.installed-$(if $(GPU),gpu,cpu): $(REQUIREMENTS) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r $(REQUIREMENTS)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-$(if $(GPU),gpu,cpu) requirements-test.txt requirements-app.txt
	$(BIN)/python -m pip install -q -r requirements-test.txt
	touch $@

demo: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/thermal-keras demo

# The web demo of the presets on http://127.0.0.1:7860/ (docs/app.md); `make app APP_PORT=8080` changes the port.
# Gradio comes from requirements-app.txt (the [app] extra, pinned), installed on the first `make app`.
APP_PORT ?= 7860
$(VENV)/.installed-app: $(VENV)/.installed-$(if $(GPU),gpu,cpu) requirements-app.txt
	$(BIN)/python -m pip install -q -r requirements-app.txt
	touch $@

app: $(VENV)/.installed-app
	$(BIN)/thermal-keras app --port $(APP_PORT)

# Unit tests and the notebooks (nbval, quick mode) in one run over TEST_WORKERS processes (pytest-xdist);
# each file stays on one process, so a notebook's cells share one kernel. The notebooks come first: they
# are the longest items, and the unit tests fill the gaps. Six long tests (marker `slow`, 40 s to two minutes
# each: two CLI training resumes, the mirrored-strategy run, the SR two-phase run, the 20-upload load test of the
# demo and the presets loaded in a fresh process) and the PyTorch backend test run in `make test-slow`.
# --durations=20 lists the slowest items at the end: `.ci/run` (this target) must stay under 30 minutes.
TEST_WORKERS ?= 2
# Notebooks 00 and 02 open with a model trained on real RoadScene frames from THERMAL_KERAS_DATA: the
# research sample beside the repository (../shared/data/roadscene_sample, read in place, never copied)
# when there is one; without it they say so and go on with the synthetic set.
THERMAL_KERAS_DATA ?= $(wildcard $(abspath ../shared/data/roadscene_sample))
export THERMAL_KERAS_DATA
test: $(VENV)/.installed-test
	TF_CPP_MIN_LOG_LEVEL=3 THERMAL_KERAS_QUICK=1 $(BIN)/python -m pytest notebooks/ tests -q -m "not slow" \
		--nbval-lax --nbval-current-env -n $(TEST_WORKERS) --dist loadfile --durations=20

# The generators on the PyTorch backend (JAX runs in `make test`); torch is a 1 GB CPU wheel, hence its own target.
$(VENV)/.installed-test-torch: $(VENV)/.installed-test requirements-test-torch.txt
	$(BIN)/python -m pip install -q -r requirements-test-torch.txt
	touch $@

test-slow: $(VENV)/.installed-test test-backends
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/python -m pytest tests -q -m slow

test-backends: $(VENV)/.installed-test-torch
	TF_CPP_MIN_LOG_LEVEL=3 THERMAL_KERAS_TEST_TORCH=1 $(BIN)/python -m pytest tests/export/test_backends.py -q -k torch

# The sdist and the wheel built from it (presets included) in dist/, with an isolated setuptools;
# tests/test_dist.py installs such a wheel into a fresh venv and runs the command line from it.
dist: $(VENV)/.installed-test
	$(BIN)/python -m build --outdir dist .

# Re-executes the tutorials in quick mode and stores their outputs (what `make test` compares against).
notebooks: $(VENV)/.installed-test
	TF_CPP_MIN_LOG_LEVEL=3 THERMAL_KERAS_QUICK=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 \
		--ExecutePreprocessor.record_timing=False notebooks/*.ipynb

$(VENV)/.installed-bench: $(VENV)/.installed-$(if $(GPU),gpu,cpu) requirements-bench.txt
	$(BIN)/python -m pip install -q -r requirements-bench.txt
	touch $@

# A small CPU run of every benchmark, printed as one table (8-13 minutes on 2 cores).
bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench_table.py --json results/bench.json

# Our pix2pix step beside the same step in PyTorch, which lives in its own venv (never a package dependency).
TORCH_VENV := .venv-torch
$(TORCH_VENV)/.installed:
	test -x $(TORCH_VENV)/bin/python || $(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install -q torch==2.13.0 numpy
	touch $@

bench-torch: $(VENV)/.installed-bench $(TORCH_VENV)/.installed
	$(BIN)/python benchmarks/compare_pytorch.py --torch-python $(TORCH_VENV)/bin/python --json results/compare_pytorch.json

# Real RGB -> thermal on held-out RoadScene frames: pix2pix variants beside the PyTorch reference pix2pix,
# trained on the same crops for the same steps (needs ../shared/data/roadscene_sample or ROADSCENE=<clone>;
# about 50 minutes on 2 idle cores; 67 measured beside other jobs). Results: benchmarks/results/real_rgb2thermal.json.
ROADSCENE ?= ../shared/data/roadscene_sample
REAL_STEPS ?= 1014
bench-real: $(VENV)/.installed-bench $(TORCH_VENV)/.installed
	$(BIN)/python benchmarks/real_rgb2thermal.py --data $(ROADSCENE) --steps $(REAL_STEPS) \
		--torch-python $(TORCH_VENV)/bin/python --json benchmarks/results/real_rgb2thermal.json \
		--predictions results/real_predictions.npz

# Fusion on real pairs: FusionGAN, STDFusionNet (its preset, or STDFUSIONNET=<run folder or .keras>), averaging and
# the Laplacian pyramid on the TNO and RoadScene samples in ../shared/data (a missing folder is skipped with its
# reason), the nine metrics in our convention and MMIF-CDDFuse's, beside published CDDFuse and U2Fusion rows
# (docs/fusion.md). Results: benchmarks/results/fusion_real.json.
STDFUSIONNET ?=
bench-fusion: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/python benchmarks/fusion_real.py $(if $(STDFUSIONNET),--stdfusionnet $(STDFUSIONNET)) \
		--json benchmarks/results/fusion_real.json

# Retrain and repackage the shipped presets (thermal_keras/presets/NAME/) from their committed recipes
# (thermal_keras/presets/recipes.py); each trains into build/presets/NAME/run, resumes there, and takes
# at most an hour on 2 CPU cores. The SR recipes need scikit-image (the test set) for their photographs.
presets: presets-pix2pix presets-pix2pix-driving presets-cyclegan presets-sr presets-fusion

presets-pix2pix: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/thermal-keras presets build pix2pix_rgb2thermal_128

# The sim-to-real preset (synthetic driving view, 8-bit AGC): what `make bench-real` scores zero-shot and fine-tunes.
presets-pix2pix-driving: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/thermal-keras presets build pix2pix_rgb2thermal_driving_256

presets-cyclegan: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/thermal-keras presets build cyclegan_rgb2thermal_128

presets-sr: $(VENV)/.installed-test
	$(BIN)/thermal-keras presets build swift_srgan_4x_grey
	$(BIN)/thermal-keras presets build swift_srgan_4x_rgb

presets-fusion: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/thermal-keras presets build fusiongan_vis_ir
	$(BIN)/thermal-keras presets build stdfusionnet_vis_ir

# Fine-tuning the pix2pix preset on real LLVIP pairs against training from scratch (needs the LLVIP
# sample beside the repository, ../shared/data/llvip_sample; about 20 minutes on 2 cores).
sim-to-real: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/python benchmarks/sim_to_real_llvip.py --json benchmarks/results/sim_to_real_llvip.json

clean:
	rm -rf results data .pytest_cache
