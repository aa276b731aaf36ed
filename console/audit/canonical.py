"""The canonical bytes of an audit entry (docs/audit-format.md).

Sorted keys, no whitespace, UTF-8 (not \\u-escaped), times as ISO-8601 UTC with
a ``Z``, integers beyond 2**53-1 and every non-integer number as strings, so a
program in any language can reproduce the bytes exactly.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from console.timeutil import as_utc

HASH_DOMAIN = b"hw-shibuya-console/audit/v1\n"
GENESIS_PREV_HASH = "0" * 64
MAX_SAFE_INTEGER = 2**53 - 1


def normalise(value: Any) -> Any:
    """``value`` as plain JSON types following the canonical rules."""
    if value is None or isinstance(value, str | bool):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return normalise(value.value)
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float | Decimal | UUID):
        return str(value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(normalise(item) for item in value)
    raise TypeError(f"cannot put {type(value).__name__} in an audit entry")


def format_time(moment: datetime) -> str:
    """``2026-12-01T13:00:00.000000Z``."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(value: Any) -> bytes:
    """The canonical JSON encoding of ``value``."""
    return json.dumps(
        normalise(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """SHA-256 over the domain tag, the previous entry's hash and this entry's canonical bytes."""
    return hashlib.sha256(HASH_DOMAIN + prev_hash.encode("ascii") + b"\n" + canonical).hexdigest()


CHECKPOINT_DOMAINS = {
    1: b"hw-shibuya-console/audit-checkpoint/v1\n",
    2: b"hw-shibuya-console/audit-checkpoint/v2\n",
}
ROTATION_DOMAIN = b"hw-shibuya-console/audit-key-rotation/v1\n"


def key_fingerprint(public_key: bytes) -> str:
    """The fingerprint of a raw 32-byte Ed25519 public key: its SHA-256 in hex."""
    return hashlib.sha256(public_key).hexdigest()


def checkpoint_message(
    *,
    log_id: str,
    seq: int,
    head_hash: str,
    at: str,
    key_fingerprint: str,
    version: int = 2,
    previous: tuple[int, str] | None = None,
) -> bytes:
    """The exact bytes a checkpoint's Ed25519 signature covers (docs/audit-format.md).

    Version 2 also names the checkpoint written before it (``previous``: its seq and
    time, None for the first), so removing a checkpoint breaks the signed sequence.
    """
    statement: dict[str, Any] = {
        "at": at,
        "head_hash": head_hash,
        "key_fingerprint": key_fingerprint,
        "log_id": log_id,
        "seq": seq,
    }
    if version >= 2:
        statement["previous"] = (
            None if previous is None else {"seq": previous[0], "at": previous[1]}
        )
    return CHECKPOINT_DOMAINS[version] + canonical_bytes(statement)


def rotation_message(*, log_id: str, previous_fingerprint: str, key_fingerprint: str) -> bytes:
    """What the old and the new key sign when one hands the trail over to the other."""
    statement = {
        "key_fingerprint": key_fingerprint,
        "log_id": log_id,
        "previous_fingerprint": previous_fingerprint,
    }
    return ROTATION_DOMAIN + canonical_bytes(statement)
