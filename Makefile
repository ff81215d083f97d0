# Two entry points: `make demo` and `make test`. Both create .venv on first use and install into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A GPU machine gets the CUDA build of TensorFlow; a CPU machine never downloads CUDA wheels.
GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo yes)
REQUIREMENTS := $(if $(GPU),requirements-gpu.txt,requirements.txt)
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo test unit-tests notebooks benchmarks clean

$(VENV)/.installed-$(if $(GPU),gpu,cpu): $(REQUIREMENTS) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r $(REQUIREMENTS)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-$(if $(GPU),gpu,cpu) requirements-test.txt
	$(BIN)/python -m pip install -q -r requirements-test.txt
	touch $@

demo: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/thermal-keras demo

test: $(VENV)/.installed-test
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/python -m pytest tests -q
	TF_CPP_MIN_LOG_LEVEL=3 THERMAL_KERAS_QUICK=1 $(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks/ -q

# Re-executes the tutorials in quick mode and stores their outputs (what `make test` compares against).
notebooks: $(VENV)/.installed-test
	TF_CPP_MIN_LOG_LEVEL=3 THERMAL_KERAS_QUICK=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 \
		--ExecutePreprocessor.record_timing=False notebooks/*.ipynb

benchmarks: $(VENV)/.installed-$(if $(GPU),gpu,cpu)
	$(BIN)/python benchmarks/pipeline_throughput.py
	$(BIN)/python benchmarks/step_time.py

clean:
	rm -rf results data .pytest_cache
