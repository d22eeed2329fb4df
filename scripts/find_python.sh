# Sourced by scripts/venv.sh and scripts/lock.sh: find_python 3.10 → path of a working interpreter.
find_python() {
  local v=$1 cand
  for cand in "python$v" "$(pyenv root 2>/dev/null)/versions/$v"*/bin/"python$v" /usr/bin/"python$v" /usr/local/bin/"python$v"; do
    if [ -n "$cand" ] && "$cand" -c 'import sys, venv' >/dev/null 2>&1; then
      if [[ "$cand" == */* ]]; then echo "$cand"; else "$cand" -c 'import sys; print(sys.executable)'; fi
      return 0
    fi
  done
  return 1
}
