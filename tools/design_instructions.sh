#!/usr/bin/env bash
# Instructions per participant report (millions) of a template folder, counted by Valgrind:
# the typst Python package compiles reports in one process with each report's data copied to
# one fixed path (as ksp serves it); (instructions of 6 reports − those of 1) / 5, so fonts and
# the first report's work drop out. Deterministic, unlike wall-clock time on a shared machine.
#
#   bash tools/design_instructions.sh FOLDER   # FOLDER: participant.typ, fonts/, and
#                                              # bench-data/ with at least six reports' JSON
# docs/performance.md compares 30aa4e0's templates (with bench/baseline-30aa4e0/data) and
# today's (`ksp templates export`, with `ksp run --emit-data` output) this way.
set -euo pipefail
folder=$(cd "${1:?template folder}" && pwd)
python=$(python3 -c 'import sys; print(sys.executable)')
script=$(mktemp --suffix=.py)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'PY'
import os, shutil, sys, typst
folder, n = sys.argv[1], int(sys.argv[2])
files = sorted(os.listdir(folder + "/bench-data"))[:n]
c = typst.Compiler(folder + "/participant.typ", root=folder, font_paths=[folder + "/fonts"], ignore_system_fonts=True)
for f in files:
    shutil.copy(folder + "/bench-data/" + f, folder + "/current.json")
    c.compile(format="pdf", sys_inputs={"data": "/current.json"})
PY
count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$python" "$script" "$folder" "$1" 2>&1 |
    awk '/I *refs/ { gsub(",", "", $4); print $4 }'
}
one=$(count 1)
six=$(count 6)
echo "$(( (six - one) / 5000000 )) M instructions per report"
