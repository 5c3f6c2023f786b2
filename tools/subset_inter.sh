#!/usr/bin/env bash
# Writes the Inter files in report-templates/fonts from upstream Inter 4 (OFL 1.1, no reserved
# font name, so modified files may keep or change the name). Every glyph and code point stays;
# the layout features go, because Inter's 32 features (ccmp, locl, calt, the stylistic sets …)
# made shaping the largest part of a report's time though no report uses one (measured in
# docs/performance.md):
# - `Inter` Bold: `kern` and `mark` only, for the names on the covers, where kerning shows most;
# - `Inter Unkerned`: `mark` only, for everything else (kerning is a tenth of what is left and
#   hardly shows at body sizes). Turning kerning off with `set text(kerning: false)` instead
#   would turn it off in the fallback fonts too, and Arabic shaping needs it.
#
#   bash tools/subset_inter.sh DIR   # DIR holds Inter-{Regular,Italic,SemiBold,Bold}.otf
#                                    # (e.g. Debian's fonts-inter 4.0, /usr/share/fonts/opentype/inter)
set -euo pipefail
src=${1:?folder with the upstream Inter-*.otf}
out="$(dirname "$0")/../report-templates/fonts"
python3 -c 'import fontTools' 2>/dev/null || python3 -m pip install --quiet fonttools
subset() {
  pyftsubset "$1" --unicodes='*' --glyphs='*' --layout-features="$2" --name-IDs='*' \
    --name-languages='*' --notdef-glyph --notdef-outline --recommended-glyphs \
    --no-prune-unicode-ranges --output-file="$3"
}
subset "$src/Inter-Bold.otf" kern,mark "$out/Inter-Bold.otf"
for w in Regular Italic SemiBold Bold; do
  subset "$src/Inter-$w.otf" mark "$out/InterUnkerned-$w.otf"
  python3 - "$out/InterUnkerned-$w.otf" <<'PY'
import sys
from fontTools.ttLib import TTFont
path = sys.argv[1]
font = TTFont(path)
for record in font["name"].names:
    if record.nameID in (1, 3, 4, 6, 16):
        old = record.toUnicode()
        new = old.replace("Inter-", "InterUnkerned-") if record.nameID == 6 else old.replace("Inter", "Inter Unkerned", 1)
        record.string = new
font.save(path)
PY
done
