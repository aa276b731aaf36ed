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


KANA_ALLOWED = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fd\u30fe\u30fb\s]+$")


def to_katakana(text: str) -> str:
    """A kana name as full-width katakana (hiragana and half-width ﾔﾏﾀﾞ too), spaces kept single."""
    folded = unicodedata.normalize("NFKC", text)
    katakana = "".join(
        chr(ord(char) + KATAKANA_OFFSET) if HIRAGANA_START <= ord(char) <= HIRAGANA_END else char
        for char in folded
    )
    return _SPACES.sub(" ", katakana).strip()


def is_kana(text: str) -> bool:
    """Whether ``text`` (after ``to_katakana``) is only katakana, the long-vowel mark and spaces."""
    return bool(KANA_ALLOWED.match(to_katakana(text)))


def name_key(text: str) -> str:
    """A kanji name as typed, NFKC with spaces removed: 山田　太郎 and 山田太郎 agree."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))
