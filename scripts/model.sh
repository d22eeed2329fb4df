#!/usr/bin/env bash
# Print the path of the trained Rasa model, training it first when its inputs changed.
# The model is cached by a hash of everything training reads: config, domain, NLU data,
# the lexicon tables, the code of our own NLU components and the sentence encoder's weights
# (the NLU's dense features; tools.nlu_encoder converts and exports it once, in the services runtime).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cache=${TROLYAO_CACHE:-$HOME/.cache/trolyao-ioc}
rasa_venv=$(scripts/venv.sh rasa)
svc_venv=$(scripts/venv.sh services)
encoder=$(PYTHONPATH="$root" "$svc_venv/bin/python" -m tools.nlu_encoder)
inputs=$(find config.yml domain.yml data/nlu data/lexicon assistant/nlu vitext settings/__init__.py settings/defaults.py settings/rasa.py -type f \( -name '*.yml' -o -name '*.py' \) | LC_ALL=C sort)
key=$( (echo "$rasa_venv"; grep '"source"' "$encoder/onnx/export.json"
  for f in $inputs; do echo "== $f"; cat "$f"; done) | sha256sum | cut -c1-16)
model="$cache/models/rasa-$key.tar.gz"
if [ ! -f "$model" ]; then
  mkdir -p "$cache/models"
  exec 9>"$cache/models/.train.lock"
  flock 9
  if [ ! -f "$model" ]; then
    echo ">> training the Rasa model (inputs changed) → $model" >&2
    tmp=$(mktemp -d "$cache/models/train.XXXXXX")
    PYTHONPATH="$root" ASSISTANT_NLU_ENCODER_DIR="$encoder" "$rasa_venv/bin/rasa" train \
      --config config.yml --domain domain.yml --data data/nlu --out "$tmp" \
      --fixed-model-name model >&2
    mv "$tmp/model.tar.gz" "$model"
    rm -rf "$tmp"
  fi
fi
echo "$model"
