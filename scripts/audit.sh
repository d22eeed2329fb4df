#!/usr/bin/env bash
# make audit: pip-audit of both runtimes' locks (known vulnerabilities of the pinned versions).
# Offline-tolerant: without access to the vulnerability database (an air-gapped network) the
# report says so and the target succeeds; with access, a known vulnerability fails it.
#   scripts/audit.sh <services venv>   — JSON reports in var/audit/
set -uo pipefail
venv=${1:?usage: scripts/audit.sh <services venv>}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p var/audit
status=0
for lock in requirements/rasa.lock requirements/services.lock; do
  name=$(basename "$lock" .lock)
  out="var/audit/$name.json"
  "$venv/bin/pip-audit" -r "$lock" --disable-pip --no-deps --progress-spinner off \
    -f json -o "$out" 2>"var/audit/$name.log"
  "$venv/bin/python" - "$out" "$lock" <<'PY' || status=1
import json, sys
path, lock = sys.argv[1], sys.argv[2]
try:
    deps = json.load(open(path, encoding="utf-8"))["dependencies"]
except (OSError, ValueError, KeyError):
    print(f"{lock}: pip-audit produced no report (offline?); see {path[:-5]}.log")
    sys.exit(0)
audited = [d for d in deps if "skip_reason" not in d]
vulnerable = [d for d in audited if d.get("vulns")]
if not audited:
    print(f"{lock}: {len(deps)} packages, none audited: the vulnerability service is unreachable "
          "(offline); run `make audit` where PyPI is reachable")
    sys.exit(0)
print(f"{lock}: {len(audited)}/{len(deps)} packages audited, {len(vulnerable)} with known vulnerabilities")
for dep in vulnerable:
    ids = ", ".join(v["id"] for v in dep["vulns"])
    print(f"  {dep['name']} {dep['version']}: {ids}")
sys.exit(1 if vulnerable else 0)
PY
done
exit $status
