# The few commands people type. `make run` sets everything up, ingests the bundled corpus if needed and starts
# the program; `make test` runs the test suite. Both work on a fresh clone with only PyPI reachable.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

# dev tunes rules and thresholds; test (frozen, written before tuning) only measures. Reports put them side by side.
GOLD := $(foreach f,$(sort $(wildcard evals/gold/dev_*.jsonl)),--gold $(f))
GOLD_TEST := $(foreach f,$(sort $(wildcard evals/gold/test_*.jsonl)),--gold $(f))
# run both splits (the relevance thresholds' k-fold calibration on dev only), print them side by side, then gate
# each on its own floors; the test split is also asked in English (`question_en`) and gated on its own floors (every
# gate runs, any fails the target)
EVAL_BOTH = $(BIN)/python -m evals run $(GOLD) --out evals/out/dev --pipeline ours,baseline && \
	$(BIN)/python -m evals calibrate --report evals/out/dev/report.json --out evals/out/dev && \
	$(BIN)/python -m evals run $(GOLD_TEST) --out evals/out/test --pipeline ours,baseline && \
	$(BIN)/python -m evals compare --report dev=evals/out/dev/report.json --report test=evals/out/test/report.json \
		--out evals/out/compare.md && \
	$(BIN)/python -m evals run $(GOLD_TEST) --out evals/out/test_en --pipeline ours,baseline --question-field question_en && \
	{ $(BIN)/python -m evals gate --report evals/out/dev/report.json; dev=$$?; \
	  $(BIN)/python -m evals gate --report evals/out/test/report.json --thresholds evals/thresholds_test.toml; tst=$$?; \
	  $(BIN)/python -m evals gate --report evals/out/test_en/report.json --thresholds evals/thresholds_test_en.toml; \
	  test $$dev -eq 0 -a $$tst -eq 0 -a $$? -eq 0; }

.PHONY: run test test-slow unit unit-server eval eval-embedded calibrate train-ranker setup ingest lint clean

# The tests that touch the vector store, run a second time against a real `chroma run` server on loopback.
SERVER_TESTS := tests/ingest/test_pipeline.py tests/ingest/test_crash.py tests/rag
# Server-mode index: the Chroma server's data and this index's keyword index/docstore, apart from the embedded one.
SERVER_INDEX := .index/server

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# the CPU build of torch first: an unpinned torch would pull CUDA packages
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	@if $(BIN)/pip list 2>/dev/null | grep -qi nvidia; then echo "CUDA packages were installed: check the torch pin" >&2; exit 1; fi
	touch $(STAMP)

setup: $(STAMP)

ingest: $(STAMP)
	$(BIN)/python -m ingest

run: $(STAMP)
	$(BIN)/python -m ingest
	$(BIN)/python -m app

# lint (ruff), the unit/integration tests (embedded Chroma), the store-touching tests again against a Chroma server, then the
# eval suite on the dev and test splits against a Chroma server, with their CI gates (evals/thresholds*.toml)
test: lint unit unit-server eval

unit: $(STAMP)
	$(BIN)/python -m pytest -q

unit-server: $(STAMP)
	d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && scripts/with-chroma-server "$$d" \
		$(BIN)/python -m pytest -q --force-enable-socket --allow-hosts=127.0.0.1,localhost $(SERVER_TESTS)

eval: $(STAMP)
	$(BIN)/python -m evals check $(GOLD) $(GOLD_TEST)
	RAG_INDEX_DIR=$(SERVER_INDEX) scripts/with-chroma-server $(SERVER_INDEX)/chroma sh -c '$(EVAL_BOTH)'

# the same eval on the embedded store (no server)
eval-embedded: $(STAMP)
	sh -c '$(EVAL_BOTH)'

# every answer-policy threshold swept over its grid on the dev split and chosen by 5-fold CV (about 25 minutes;
# not part of `make test`)
calibrate: $(STAMP)
	$(BIN)/python -m evals sweep $(GOLD) --out evals/out/dev/sweep.md

# the learned rankers (rag/ranker.py) fitted on the dev split's gold evidence, 5-fold CV by question (about 2 minutes)
train-ranker: $(STAMP)
	$(BIN)/python -m evals train-ranker $(GOLD)

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check settings.py textnorm.py index_format ingest rag app evals bench tests
	$(BIN)/mypy settings.py textnorm.py index_format ingest rag app evals

clean:
	rm -rf .index
