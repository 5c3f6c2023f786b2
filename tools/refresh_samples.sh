#!/usr/bin/env bash
# Writes report-templates/samples/: the data each built-in template reads, taken from the
# bundled seasons with `ksp run --emit-data`, so a designer can compile the templates with the
# typst CLI. Run it after changing what ksp sends to the templates.
#   bash tools/refresh_samples.sh            # from the repository root; builds ksp first
#   KSP=path/to/ksp bash tools/refresh_samples.sh   # with a ksp already built (any profile)
# tests/cli/samples.rs checks that every sample has exactly the fields a run sends.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${KSP:-}" ]; then
  ksp=$KSP
else
  cargo build --release --quiet
  ksp=${CARGO_TARGET_DIR:-target}/release/ksp
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
samples=report-templates/samples

# The mystery-shopper award, with a synthetic last season for the year-over-year figures.
$ksp generate --participants 188 --seed 2021 --year 2021 --out "$tmp/2021" >/dev/null
$ksp run config/ksp-2022.toml --out "$tmp/ksp-2021" --force \
  --set "input.participants=$tmp/2021/participants.csv" \
  --set "input.responses=$tmp/2021/responses.csv" \
  --set 'season.name="Kundeserviceprisen 2021"' --set season.year=2021 >/dev/null
$ksp run config/ksp-2022.toml --out "$tmp/ksp-2022" --emit-data --only P003 \
  --set "season.previous=$tmp/ksp-2021/results/results.json" >/dev/null
cp "$tmp/ksp-2022/data/P003.json" "$samples/participant.json"
cp "$tmp/ksp-2022/data/award-summary.json" "$samples/award-summary.json"

# The panel index, with 2012 as last season.
$ksp run config/panel-2013.toml --weights config/panel-2012.toml --out "$tmp/panel-2012" >/dev/null
$ksp run config/panel-2013.toml --out "$tmp/panel-2013" --emit-data --only K069 \
  --set "season.previous=$tmp/panel-2012/results/results.json" >/dev/null
cp "$tmp/panel-2013/data/K069.json" "$samples/panel-participant.json"
cp "$tmp/panel-2013/data/ksindeks-2013.json" "$samples/panel-summary.json"

# The channel study.
$ksp run config/chat-study.toml --out "$tmp/chat" --emit-data >/dev/null
cp "$tmp/chat/data/chat-study.json" "$samples/chat-study.json"
echo "samples written to $samples/"
