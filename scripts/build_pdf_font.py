"""Build peikao/certificates/fonts/PeikaoCJK-Regular.ttf, the CJK font that certificate PDFs embed (as a subset).

Source: WenQuanYi Micro Hei 0.2.0-beta (文泉驿微米黑; the WenQuanYi Project, based on Google's Droid Sans Fallback),
licensed "Apache-2.0 or GPL-3+ with font exception"; we use it under the Apache License 2.0. It is a TrueType (glyf)
font as reportlab needs for embedding; Debian ships it as fonts-wqy-microhei
(/usr/share/fonts/truetype/wqy/wqy-microhei.ttc, face 0). Kept: every character of GBK that the font has (all
20,902 CJK Unified Ideographs U+4E00–U+9FA5, so names outside GB 2312 such as 堃, 喆, 玥 print too), Latin, general
punctuation, CJK symbols and punctuation, full-width forms, arrows, circled numbers and geometric shapes. Dropped:
hinting, vertical metrics and layout tables (reportlab uses none of them), Hangul, Kana beyond GBK, CJK Extension A.
The font is renamed "Peikao CJK" (a modified file does not pass for the original, Apache-2.0 §4) and keeps the
original copyright and trademark notices (Apache-2.0 §4(c)).

Run once when the source changes (needs fontTools, which is not a dependency of the project):
    python -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools==4.68.0
    /tmp/ft/bin/python scripts/build_pdf_font.py /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from fontTools import subset  # type: ignore[import-not-found]
from fontTools.ttLib import TTFont  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parent.parent / "peikao" / "certificates" / "fonts" / "PeikaoCJK-Regular.ttf"
BLOCKS = (
    (0x0020, 0x024F),  # Latin
    (0x2000, 0x206F),  # general punctuation (—, …, ‘’ “”)
    (0x2100, 0x21FF),  # letter-like symbols, number forms, arrows (№, Ⅱ, →)
    (0x2460, 0x24FF),  # circled numbers ①
    (0x25A0, 0x25FF),  # geometric shapes □ ■ ○
    (0x3000, 0x303F),  # CJK symbols and punctuation （、。《》「」【】）
    (0xFF00, 0xFFEF),  # full-width forms （，：；）
)
NAMES = {
    1: "Peikao CJK",
    3: "Peikao CJK Regular (subset of WenQuanYi Micro Hei)",
    4: "Peikao CJK Regular",
    6: "PeikaoCJK-Regular",
    10: "Subset of WenQuanYi Micro Hei made for Peikao certificate PDFs by scripts/build_pdf_font.py.",
    13: "Licensed under the Apache License, Version 2.0.",
    14: "https://www.apache.org/licenses/LICENSE-2.0",
}


def wanted(codepoint: int) -> bool:
    if any(low <= codepoint <= high for low, high in BLOCKS):
        return True
    try:
        chr(codepoint).encode("gbk")
    except UnicodeEncodeError:
        return False
    return codepoint > 0x7F


def main(source: Path) -> None:
    font = TTFont(str(source), fontNumber=0)  # a .ttc holds Micro Hei and Micro Hei Mono
    keep = {codepoint for codepoint in font.getBestCmap() if wanted(codepoint)}
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["vhea", "vmtx", "GDEF", "GPOS", "GSUB"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    names = font["name"]
    names.names = [record for record in names.names if record.nameID not in NAMES and record.nameID not in (16, 17, 18)]
    for name_id, text in NAMES.items():
        names.setName(text, name_id, 3, 1, 0x409)
        names.setName(text, name_id, 1, 0, 0)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    source_hash = hashlib.sha256(source.read_bytes()).hexdigest()
    out_hash = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"{len(keep)} characters, {OUT.stat().st_size} bytes\nsource sha256 {source_hash}\noutput sha256 {out_hash}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
