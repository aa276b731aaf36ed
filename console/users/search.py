"""How typed names and numbers are compared: kana and width do not matter."""

from __future__ import annotations

import re
import unicodedata

HIRAGANA_START, HIRAGANA_END = 0x3041, 0x3096
KATAKANA_OFFSET = 0x60
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[‐‑‒–—―−ｰ－]")


def kana_key(text: str) -> str:
    """Katakana, NFKC (half-width ﾔﾏﾀﾞ → ヤマダ), spaces removed: やまだ, ヤマダ, ﾔﾏﾀﾞ agree."""
    folded = unicodedata.normalize("NFKC", text)
    katakana = "".join(
        chr(ord(char) + KATAKANA_OFFSET) if HIRAGANA_START <= ord(char) <= HIRAGANA_END else char
        for char in folded
    )
    return _SPACES.sub("", katakana)


def reference_key(text: str) -> str:
    """Reference numbers as typed: full-width ＨＷ－２０２４ becomes HW-2024."""
    folded = unicodedata.normalize("NFKC", text).strip().upper()
    return _DASHES.sub("-", folded)
