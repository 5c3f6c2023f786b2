#!/usr/bin/env python3
"""Rescales Noto Color Emoji to 400 units per em (glyphs and layout unchanged).

Typst writes colour bitmap glyphs into PDFs as Type 3 fonts whose glyph space follows the
font's units per em. PDF text extractors (poppler's pdftotext, and with it search and screen
readers that use it) size those glyphs from it, and at Noto's 2048 units they measured each
emoji about five times the height of the text around it, off the top of the page for an emoji
in a running header. At 400 units they measure it like the text around it.

    pip install fonttools
    python3 tools/scale_emoji_font.py NotoColorEmoji.ttf report-templates/fonts/NotoColorEmoji.ttf

The source is Debian's fonts-noto-color-emoji 2.042 (/usr/share/fonts/truetype/noto/).
"""
import sys

from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

source, target = sys.argv[1], sys.argv[2]
font = TTFont(source)
scale_upem(font, 400)
font.save(target)
