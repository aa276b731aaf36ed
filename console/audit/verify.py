"""Checking a chain of entries and its signed checkpoints: pure functions over iterators.

Nothing here touches a database or Flask: ``flask audit verify`` feeds it rows streamed
from the table, ``python -m console.audit.verify_export`` feeds it rows read from a file.
Memory stays constant however long the chain is (a window of recent hashes, one row of
look-ahead, and the checkpoints not yet reached).

The first damage found is reported by the lowest ``seq`` it concerns and its kind:

- ``modified``: the stored hash differs from the one recomputed from the stored canonical
  bytes, or a searchable column disagrees with those bytes;
- ``deleted``: a ``seq`` is missing (or the entries after a removed one were renumbered);
- ``inserted``: an entry whose ``prev_hash`` does not link to the entry before it, or one
  slipped in with the later entries renumbered;
- ``reordered``: an entry sits at a ``seq`` other than the one it was written with;
- ``forked``: an entry links to an earlier entry that already had a successor;
- ``truncated``: the chain ends before a checkpoint's ``seq``, or the hash at a
  checkpoint's ``seq`` differs from the signed one;
- ``bad signature``: a checkpoint whose Ed25519 signature does not verify, or is made
  with a key that is not trusted (pinned outside the trail, or handed over from a pinned
  key by a signed rotation), or by a key the trail had already replaced, or names another
  log.

A removed checkpoint is ``deleted`` (each checkpoint signs the one written before it).
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from console.audit.canonical import (
    GENESIS_PREV_HASH,
    chain_hash,
    checkpoint_message,
    key_fingerprint,
    rotation_message,
)

MODIFIED = "modified"
DELETED = "deleted"
INSERTED = "inserted"
REORDERED = "reordered"
FORKED = "forked"
TRUNCATED = "truncated"
BAD_SIGNATURE = "bad signature"
STALE = "stale"  # the newest checkpoint is older than the scheduler leaves it
KINDS = (MODIFIED, DELETED, INSERTED, REORDERED, FORKED, TRUNCATED, BAD_SIGNATURE, STALE)

# The columns kept beside the canonical bytes for searching; each must agree with them.
COLUMNS = (
    "at",
    "actor_kind",
    "actor_id",
    "actor_login",
    "action",
    "subject_type",
    "subject_id",
    "request_id",
    "client_address",
)
KEY_ACTIONS = frozenset({"audit.genesis", "audit.key_rotated"})
FORK_WINDOW = 64
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Row:
    """One stored entry: the hashed bytes, the links, and optionally its searchable columns."""

    seq: int
    canonical: str
    prev_hash: str
    hash: str
    columns: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Checkpoint:
    log_id: str
    seq: int
    head_hash: str
    at: str  # as signed: ISO-8601 UTC with a Z
    signature: str  # hex, 64 bytes
    key_fingerprint: str
    public_key: str  # hex, 32 bytes
    version: int = 2
    previous_seq: int | None = None  # the checkpoint written before this one (version 2)
    previous_at: str | None = None

    @property
    def previous(self) -> tuple[int, str] | None:
        if self.previous_seq is None or self.previous_at is None:
            return None
        return (self.previous_seq, self.previous_at)


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str
    detail: str


@dataclass
class Report:
    count: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_PREV_HASH
    log_id: str | None = None
    checkpoints: int = 0
    problem: Problem | None = None
    keys: dict[str, str | None] = field(default_factory=dict)  # trusted: fingerprint -> key
    covered_seq: int = 0  # the highest seq a verified checkpoint signed
    newest_checkpoint: Checkpoint | None = None
    active_key: str | None = None  # the fingerprint the trail announced last
    active_since: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "count": self.count,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "log_id": self.log_id,
            "checkpoints": self.checkpoints,
            "covered_seq": self.covered_seq,
            "problem": None
            if self.problem is None
            else {
                "seq": self.problem.seq,
                "kind": self.problem.kind,
                "detail": self.problem.detail,
            },
        }


def column_text(value: Any) -> str:
    """A column value as text, so database rows and CSV cells compare alike."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def document_columns(document: Mapping[str, Any]) -> dict[str, Any]:
    """The searchable columns an entry's canonical document implies."""
    actor = document.get("actor") or {}
    subject = document.get("subject") or {}
    return {
        "at": document.get("at"),
        "actor_kind": actor.get("kind"),
        "actor_id": actor.get("id"),
        "actor_login": actor.get("login"),
        "action": document.get("action"),
        "subject_type": subject.get("type"),
        "subject_id": subject.get("id"),
        "request_id": document.get("request_id"),
        "client_address": document.get("client_address"),
    }


def parse(canonical: str) -> dict[str, Any] | None:
    try:
        document = json.loads(canonical)
    except ValueError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("seq"), int):
        return None
    return document


def signature_valid(checkpoint: Checkpoint, public_key_hex: str) -> bool:
    """Whether ``checkpoint`` carries a valid Ed25519 signature by ``public_key_hex``."""
    if checkpoint.version not in (1, 2):
        return False
    message = checkpoint_message(
        log_id=checkpoint.log_id,
        seq=checkpoint.seq,
        head_hash=checkpoint.head_hash,
        at=checkpoint.at,
        key_fingerprint=checkpoint.key_fingerprint,
        version=checkpoint.version,
        previous=checkpoint.previous,
    )
    return ed25519_valid(public_key_hex, checkpoint.signature, message)


def ed25519_valid(public_key_hex: Any, signature_hex: Any, message: bytes) -> bool:
    """Whether ``signature_hex`` is a valid Ed25519 signature of ``message`` by the key."""
    from cryptography.exceptions import InvalidSignature  # late: only checkpoints need it
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # likewise

    if not isinstance(public_key_hex, str) or not isinstance(signature_hex, str):
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def announced_key(
    details: Mapping[str, Any], names: tuple[str, str] = ("key_fingerprint", "public_key")
) -> tuple[str, str] | None:
    """``(fingerprint, public key)`` a key entry names, when the two agree."""
    fingerprint, public_key = details.get(names[0]), details.get(names[1])
    if not isinstance(fingerprint, str) or not isinstance(public_key, str):
        return None
    try:
        agrees = key_fingerprint(bytes.fromhex(public_key)) == fingerprint
    except ValueError:
        return None
    return (fingerprint, public_key) if agrees else None


def trusted_keys(
    pinned: Mapping[str, str | None], announcements: Iterable[Mapping[str, Any]]
) -> dict[str, str | None]:
    """The pinned keys and every key a trusted key signed over to, or took over from.

    ``pinned`` maps fingerprints held outside the trail to their public key (None when
    only the fingerprint is pinned); ``announcements`` are the details of the trail's
    ``audit.genesis`` and ``audit.key_rotated`` entries. A rotation signed by the old
    key makes the new one trusted when the old one is; signed by the new key, it makes
    the old one trusted when the new one is. An unsigned rotation trusts nothing.
    """
    public: dict[str, str] = {}
    handed: dict[str, set[str]] = defaultdict(set)
    for details in announcements:
        new = announced_key(details)
        old = announced_key(details, ("previous_fingerprint", "previous_public_key"))
        if new is not None:
            public[new[0]] = new[1]
        if new is None or old is None:
            continue
        public.setdefault(old[0], old[1])
        message = rotation_message(
            log_id=str(details.get("log_id", "")),
            previous_fingerprint=old[0],
            key_fingerprint=new[0],
        )
        if ed25519_valid(old[1], details.get("previous_key_signature"), message):
            handed[old[0]].add(new[0])
        if ed25519_valid(new[1], details.get("key_signature"), message):
            handed[new[0]].add(old[0])
    trusted: dict[str, str | None] = {name.lower(): key for name, key in pinned.items()}
    waiting = list(trusted)
    while waiting:
        for reached in handed.pop(waiting.pop(), set()):
            if reached not in trusted:
                trusted[reached] = public.get(reached)
                waiting.append(reached)
    return {name: key or public.get(name) for name, key in trusted.items()}


class _Peekable:
    def __init__(self, items: Iterable[Row]) -> None:
        self._items: Iterator[Row] = iter(items)
        self._next: Row | None = None
        self._done = False

    def __iter__(self) -> _Peekable:
        return self

    def __next__(self) -> Row:
        if self._next is not None:
            item, self._next = self._next, None
            return item
        return next(self._items)

    def peek(self) -> Row | None:
        if self._next is None and not self._done:
            try:
                self._next = next(self._items)
            except StopIteration:
                self._done = True
        return self._next


def _shift_persists(offset: int, following: Row | None) -> bool:
    """Whether the next entry is displaced by the same ``offset`` too (a renumbering)."""
    if following is None:
        return True
    document = parse(following.canonical)
    return document is not None and document["seq"] - following.seq == offset


def _check_row(
    row: Row,
    document: dict[str, Any] | None,
    expected: int,
    recent: deque[str],
    rows: _Peekable,
    linked: bool = True,
) -> Problem | None:
    previous = recent[-1] if recent else None
    if row.seq > expected and linked:
        return Problem(expected, DELETED, f"entries {expected}..{row.seq - 1} are missing")
    if row.seq < expected:
        return Problem(row.seq, REORDERED, f"seq {row.seq} appears again after {expected - 1}")
    if document is None:
        return Problem(row.seq, MODIFIED, "the stored canonical bytes are not an entry")
    if chain_hash(row.prev_hash, row.canonical.encode("utf-8")) != row.hash:
        return Problem(row.seq, MODIFIED, "the stored hash differs from the recomputed one")
    if row.columns is not None:
        implied = document_columns(document)
        for name, value in row.columns.items():
            implied_value = implied.get(name, value)
            if value != implied_value and column_text(value) != column_text(implied_value):
                return Problem(row.seq, MODIFIED, f"the column {name} differs from the entry")
    written_at = document["seq"]
    if not linked:
        if written_at != row.seq:
            return Problem(row.seq, REORDERED, f"the entry was written as seq {written_at}")
        return None
    if written_at != row.seq:
        offset = written_at - row.seq
        if offset > 0 and _shift_persists(offset, rows.peek()):
            return Problem(row.seq, DELETED, "entries were removed and the rest renumbered")
        if offset < 0 and (len(recent) < 2 or row.prev_hash == recent[-2]) and written_at > 0:
            return Problem(written_at, INSERTED, f"entries were slipped in before seq {row.seq}")
        return Problem(row.seq, REORDERED, f"the entry was written as seq {written_at}")
    if previous is not None and row.prev_hash != previous:
        if row.prev_hash in recent:
            return Problem(row.seq, FORKED, "the entry links to an entry that has a successor")
        return Problem(row.seq, INSERTED, "prev_hash does not match the entry before it")
    return None


def _check_checkpoint(checkpoint: Checkpoint, row: Row, report: Report) -> Problem | None:
    def refused(detail: str) -> Problem:
        return Problem(checkpoint.seq, BAD_SIGNATURE, detail)

    if report.log_id is not None and checkpoint.log_id != report.log_id:
        return refused("the checkpoint names another log id")
    fingerprint = checkpoint.key_fingerprint
    if not report.keys:
        return refused("no checkpoint key is pinned: nothing can show who signed the trail")
    if fingerprint not in report.keys:
        return refused(
            f"the checkpoint is signed by key {fingerprint[:16]}…, which is neither pinned "
            "nor handed over from a pinned key by a signed rotation"
        )
    public_key = report.keys[fingerprint] or checkpoint.public_key
    if checkpoint.public_key != public_key or not _hashes_to(public_key, fingerprint):
        return refused("the checkpoint's public key is not the trusted one")
    if not signature_valid(checkpoint, public_key):
        return refused("the checkpoint's signature is not valid")
    if report.active_key is not None and fingerprint != report.active_key:
        return refused(
            f"the checkpoint is signed by key {fingerprint[:16]}…, which the trail had "
            f"replaced at seq {report.active_since}"
        )
    if checkpoint.head_hash != row.hash:
        return Problem(
            checkpoint.seq, TRUNCATED, "the hash at this seq differs from the signed checkpoint"
        )
    return None


def _hashes_to(public_key: str, fingerprint: str) -> bool:
    try:
        return key_fingerprint(bytes.fromhex(public_key)) == fingerprint
    except ValueError:
        return False


def _check_sequence(
    checkpoint: Checkpoint, previous: Checkpoint | None, start_seq: int
) -> Problem | None:
    """A version-2 checkpoint names the one before it: a missing one is ``deleted``."""
    if checkpoint.version < 2:
        return None
    named = checkpoint.previous
    if previous is None:
        if named is None or named[0] < start_seq:
            return None  # the first checkpoint, or its predecessor lies before this range
    elif named == (previous.seq, previous.at):
        return None
    if named is None:
        return Problem(checkpoint.seq, DELETED, "the checkpoints before this one were removed")
    return Problem(
        named[0], DELETED, f"the checkpoint signed at {named[1]} for seq {named[0]} was removed"
    )


def _note_key_entry(document: dict[str, Any], report: Report, learn_keys: bool) -> None:
    """Follow the trail's own key announcements: its log id, the active key, and
    (``learn_keys``, when nothing is pinned) the keys it announces."""
    if document.get("action") not in KEY_ACTIONS:
        return
    details = document.get("details") or {}
    if document.get("action") == "audit.genesis" and details.get("log_id"):
        report.log_id = report.log_id or str(details["log_id"])
    announced = announced_key(details)
    if announced is None:
        return
    report.active_key, report.active_since = announced[0], int(document.get("seq") or 0)
    if learn_keys:
        report.keys.setdefault(announced[0], announced[1])


def verify(
    rows: Iterable[Row],
    checkpoints: Iterable[Checkpoint] = (),
    *,
    start_seq: int = 1,
    start_prev_hash: str | None = GENESIS_PREV_HASH,
    log_id: str | None = None,
    trusted_keys: Mapping[str, str | None] | None = None,
    learn_keys: bool = False,
    linked: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Check ``rows`` and ``checkpoints`` (both by ascending ``seq``) against each other.

    ``start_prev_hash`` None accepts whatever the first row links to (an export that
    starts mid-chain); ``trusted_keys`` maps the fingerprints of the keys whose
    checkpoints count to their public keys (None: take the one the checkpoint carries,
    if it hashes to the fingerprint). ``learn_keys`` also trusts every key the chain
    announces itself, which proves nothing about who signed: only for a checker that
    holds no pinned key and says so. ``linked`` False checks a selection (entries picked
    by a filter): each entry's hash and columns, not the links.
    """
    report = Report(log_id=log_id, keys=dict(trusted_keys or {}))
    pending: Iterator[Checkpoint] = iter(checkpoints)
    waiting = next(pending, None)
    recent: deque[str] = deque(maxlen=FORK_WINDOW)
    if start_prev_hash is not None:
        recent.append(start_prev_hash)
    stream = _Peekable(rows)
    expected = start_seq
    unreported = 0
    for row in stream:
        document = parse(row.canonical)
        problem = _check_row(row, document, expected, recent, stream, linked)
        if problem is not None:
            report.problem = problem
            return report
        assert document is not None
        _note_key_entry(document, report, learn_keys)
        recent.append(row.hash)
        expected = row.seq + 1
        report.count += 1
        report.head_seq, report.head_hash = row.seq, row.hash
        while waiting is not None and waiting.seq <= row.seq:
            problem = _check_reached_checkpoint(waiting, row, report, start_seq)
            if problem is not None:
                report.problem = problem
                return report
            waiting = next(pending, None)
        unreported += 1
        if progress is not None and unreported >= PROGRESS_EVERY:
            progress(unreported)
            unreported = 0
    if progress is not None and unreported:
        progress(unreported)
    if waiting is not None:
        report.problem = Problem(
            report.head_seq + 1,
            TRUNCATED,
            f"the trail ends at seq {report.head_seq} but a checkpoint signed seq {waiting.seq}",
        )
    return report


def _check_reached_checkpoint(
    checkpoint: Checkpoint, row: Row, report: Report, start_seq: int
) -> Problem | None:
    """Check a checkpoint once the entries up to its seq were read; count it when good."""
    if checkpoint.seq != row.seq:
        return Problem(checkpoint.seq, DELETED, "a checkpoint names a missing entry")
    problem = _check_sequence(checkpoint, report.newest_checkpoint, start_seq)
    problem = problem or _check_checkpoint(checkpoint, row, report)
    if problem is None:
        report.checkpoints += 1
        report.covered_seq = checkpoint.seq
        report.newest_checkpoint = checkpoint
    return problem
