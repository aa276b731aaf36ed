"""Allowed evidence types, recognised from the content, never from the name (SECURITY.md 22)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import filetype

from console.evidence.models import EvidenceKind

# Binary types recognised by their magic numbers (the ``filetype`` package).
ALLOWED_BINARY = {
    "image/png": EvidenceKind.IMAGE,
    "image/jpeg": EvidenceKind.IMAGE,
    "image/gif": EvidenceKind.IMAGE,
    "image/webp": EvidenceKind.IMAGE,
    "application/pdf": EvidenceKind.PDF,
}
TEXT_ENCODINGS = ("utf-8", "cp932")
# How much of the start is read to recognise a file (magic numbers sit in the first bytes).
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Sniffed:
    kind: EvidenceKind
    media_type: str
    encoding: str = ""


class TextCheck:
    """Checks, chunk by chunk, that a file is plain text in UTF-8 or CP932 without NUL bytes.

    Decoding is incremental, so a character split between two chunks is fine; only one
    chunk is held at a time.
    """

    def __init__(self) -> None:
        self._decoders = {name: codecs.getincrementaldecoder(name)() for name in TEXT_ENCODINGS}
        self.has_nul = False

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        if b"\0" in chunk:
            self.has_nul = True
        for name, decoder in list(self._decoders.items()):
            try:
                decoder.decode(chunk, final)
            except UnicodeDecodeError:
                del self._decoders[name]

    @property
    def encoding(self) -> str | None:
        """The first encoding every chunk decoded in, or None if it is not text."""
        if self.has_nul:
            return None
        return next(iter(self._decoders), None)


def sniff_binary(head: bytes) -> Sniffed | None:
    """An allowed binary type from the first bytes, or None."""
    guess = filetype.guess(head) if head else None
    if guess is None or guess.mime not in ALLOWED_BINARY:
        return None
    return Sniffed(ALLOWED_BINARY[guess.mime], guess.mime)


def looks_binary_other(head: bytes) -> str | None:
    """The type ``filetype`` recognises when it is not one we allow (for the message)."""
    guess = filetype.guess(head) if head else None
    if guess is None or guess.mime in ALLOWED_BINARY:
        return None
    return guess.extension


def text_kind(head: bytes, filename: str) -> EvidenceKind:
    """CSV when the name says .csv or the first line has commas, else a text log."""
    if filename.lower().endswith(".csv"):
        return EvidenceKind.CSV
    first_line = head.split(b"\n", 1)[0]
    return EvidenceKind.CSV if first_line.count(b",") >= 2 else EvidenceKind.TEXT
