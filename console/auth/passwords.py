"""Password rules (SECURITY.md 1-2): length not composition, no common passwords, argon2id."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_dummy_hashes: dict[int, str] = {}


@cache
def _common_passwords() -> frozenset[str]:
    # Late: the 30,000-word list is read only when a password is set, not at every start.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str) -> str | None:
    """Why ``password`` is refused, or None if it is acceptable (any Unicode, kanji included)."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    if password.lower() in _common_passwords():
        return str(_l("This password is too common. Choose another."))
    return None


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def _dummy_hash() -> str:
    """Checked for unknown accounts, so a login takes as long whether or not the account exists."""
    key = id(_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash("dummy password for timing equality")
    return _dummy_hashes[key]


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; always spends one verification, even without a hash."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with parameters older than the current ones."""
    return _hasher.check_needs_rehash(password_hash)
