#!/usr/bin/env bash
# Create (once) and print the path of a runtime's virtual environment.
#   scripts/venv.sh rasa|services
# Installs requirements/<runtime>.lock (production) and requirements/<runtime>-dev.lock (tests,
# lint, benchmarks); the services runtime first takes torch's CPU build (requirements/torch-cpu.txt).
# The venv lives in the cache dir, keyed by the hash of those files and the interpreter version,
# so a second run that changes nothing takes well under a second and a fresh clone on the same
# server reuses it. Progress goes to stderr, the path to stdout.
set -euo pipefail
runtime=${1:?usage: scripts/venv.sh rasa|services}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${TROLYAO_CACHE:-$HOME/.cache/trolyao-ioc}
case "$runtime" in
  rasa) want=3.10 ;;
  services) want=3.11 ;;
  *) echo "unknown runtime '$runtime' (expected rasa or services)" >&2; exit 2 ;;
esac
# A deployment that manages its own environments points at them instead.
override_var="TROLYAO_VENV_${runtime^^}"
if [ -n "${!override_var:-}" ]; then echo "${!override_var}"; exit 0; fi
req="$root/requirements"
lock="$req/$runtime.lock"
dev="$req/$runtime-dev.lock"
for f in "$lock" "$dev"; do [ -f "$f" ] || { echo "$f is missing; run 'make lock'" >&2; exit 2; }; done
torch=()
[ "$runtime" = services ] && torch=("$req/torch-cpu.txt")

. "$root/scripts/find_python.sh"
py=$(find_python "$want") || {
  echo "Python $want not found. Install it (e.g. 'pyenv install $want' or 'apt-get install python$want python$want-venv')." >&2
  exit 2
}
key=$( (cat "${torch[@]}" "$lock" "$dev"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-12)
venv="$cache/venvs/$runtime-$key"
if [ -f "$venv/.complete" ]; then echo "$venv"; exit 0; fi

mkdir -p "$cache/venvs"
exec 9>"$cache/venvs/.$runtime.lock"
flock 9
if [ ! -f "$venv/.complete" ]; then
  echo ">> building the $runtime runtime ($("$py" --version)) in $venv" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip==24.0" >&2
  # --no-deps: the locks are complete and exact, so nothing can pull another torch build.
  # (some mirrors' pip.conf name index folders that may be absent: drop pip's per-package noise)
  pip_install() {
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$@" \
      2> >(grep -v -e "is neither a file nor a directory" -e "Retrying (Retry" >&2) >&2
  }
  if [ ${#torch[@]} -gt 0 ] && ! pip_install --retries 1 -r "${torch[0]}"; then
    rm -rf "$venv"; echo "installing torch (CPU build, ${torch[0]}) failed" >&2; exit 1
  fi
  if ! pip_install -r "$lock" -r "$dev"; then
    rm -rf "$venv"; echo "installing $lock and $dev failed" >&2; exit 1
  fi
  "$venv/bin/python" -m pip check >&2 || echo "warning: pip check reports conflicts (see above)" >&2
  touch "$venv/.complete"
fi
echo "$venv"
