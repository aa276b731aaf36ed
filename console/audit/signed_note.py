"""C2SP signed notes and their verifier keys (https://c2sp.org/signed-note).

A verifier key ("vkey") names a public key in one line, the form transparency-log tools
share: ``<name>+<key id, 8 hex>+<base64(signature type || public key)>``, e.g.
``hellowork-shibuya.example/console-audit+1a2b3c4d+AXs...``. The key id is the first four
bytes of SHA-256(name || "\\n" || signature type || public key).

Standard library and ``cryptography`` only: the off-line checkers import this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

ED25519 = 0x01  # a log's own signature over the note text
COSIGNATURE_V1 = 0x04  # a witness's timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature)
SIGNATURE_TYPES = (ED25519, COSIGNATURE_V1)
PUBLIC_KEY_SIZE = 32


class NoteError(ValueError):
    """A note or a key that is not in the C2SP form; the message says what is wrong."""


@dataclass(frozen=True)
class VerifierKey:
    """A named Ed25519 public key and the signature type it verifies."""

    name: str
    signature_type: int
    public_key: bytes  # raw, 32 bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.signature_type, self.public_key)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, hex: the console's older way of naming a key."""
        return hashlib.sha256(self.public_key).hexdigest()

    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([self.signature_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """The 4-byte key id of C2SP signed notes."""
    material = name.encode() + b"\n" + bytes([signature_type]) + public_key
    return hashlib.sha256(material).digest()[:4]


def check_key_name(name: str) -> str:
    """``name`` if it may name a key: not empty, no spaces, no ``+``."""
    if not name or "+" in name or any(char.isspace() for char in name):
        raise NoteError(f"{name!r} cannot name a key: it must be non-empty, without spaces or +")
    return name


def parse_vkey(text: str) -> VerifierKey:
    """A verifier key from its one-line form; refuses a wrong key id or an unknown type."""
    parts = text.strip().split("+", 2)  # the base64 key may hold "+" itself
    if len(parts) != 3:
        raise NoteError("a verifier key has three parts: name+keyid+base64")
    name, hash_hex, encoded = parts
    check_key_name(name)
    try:
        material = base64.b64decode(encoded, validate=True)
        expected_id = bytes.fromhex(hash_hex)
    except (binascii.Error, ValueError) as error:
        raise NoteError("the key id must be hex and the key base64") from error
    if len(material) != 1 + PUBLIC_KEY_SIZE or material[0] not in SIGNATURE_TYPES:
        raise NoteError("the key is not an Ed25519 key of signature type 0x01 or 0x04")
    key = VerifierKey(name, material[0], material[1:])
    if len(expected_id) != 4 or key.key_id != expected_id:
        raise NoteError("the key id does not match the name and key (a copying mistake?)")
    return key


def parse_trusted_keys(text: str) -> dict[str, str | None]:
    """The keys of a pinned-keys file: fingerprint -> public key (hex), or None.

    One key per line: a verifier key (``name+keyid+base64``, signature type 0x01), or
    the 64 hex digits of a key's fingerprint (SHA-256 of the raw public key). Blank
    lines and lines starting with ``#`` are ignored.
    """
    keys: dict[str, str | None] = {}
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if "+" in line:
            try:
                key = parse_vkey(line)
            except NoteError as error:
                raise NoteError(f"line {number}: {error}") from error
            if key.signature_type != ED25519:
                raise NoteError(f"line {number}: a witness key (0x04) cannot sign checkpoints")
            keys[key.fingerprint] = key.public_key.hex()
        elif len(line) == 64 and all(char in "0123456789abcdefABCDEF" for char in line):
            keys.setdefault(line.lower(), None)
        else:
            raise NoteError(
                f"line {number}: neither a verifier key (name+keyid+base64) nor a "
                "64-digit hex fingerprint"
            )
    if not keys:
        raise NoteError("the file names no key")
    return keys
