"""The Ed25519 key that signs checkpoints (``CONSOLE_AUDIT_SIGNING_KEY``, a PEM file path),
and the public keys that verification trusts (``CONSOLE_AUDIT_PINNED_KEYS``).

In development and tests, when no key is configured, one is generated on first use in
the instance folder (``instance/audit-signing-key.pem``, mode 600) and the log says so.
In production the console refuses to start without a configured key.

Verification never trusts the keys the trail announces about itself: someone who
rewrites the trail can announce a key of their own. It trusts the keys pinned in a
file the operator keeps away from the database (and keys a pinned key handed over to
by a signed rotation). In production that file is required; in development and tests
the public half of the signing key stands in for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask

from console.audit.canonical import key_fingerprint
from console.audit.signed_note import ED25519, NoteError, VerifierKey, check_key_name
from console.audit.signed_note import parse_trusted_keys as parse_key_list
from console.config import ConfigurationError
from console.files import atomic_write

DEV_KEY_FILENAME = "audit-signing-key.pem"
CACHE_KEY = "console.audit.signing_keys"
log = logging.getLogger(__name__)


class SigningKeyError(RuntimeError):
    """The signing key cannot be read; the message says what to do."""


class PinnedKeysError(SigningKeyError):
    """The pinned-keys file cannot be read or is not in the expected form."""


@dataclass(frozen=True)
class PinnedKeys:
    """The checkpoint keys verification trusts, and where they come from."""

    keys: dict[str, str | None]  # fingerprint -> raw public key in hex (None: fingerprint only)
    path: str | None = None  # the pinned-keys file; None in development
    note: str = ""  # without a file: why, in a sentence

    @property
    def source(self) -> str:
        return self.path or self.note


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public_key: str  # raw 32 bytes, hex
    fingerprint: str  # SHA-256 of the raw public key, hex
    path: Path

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()

    def verifier(self, origin: str) -> VerifierKey:
        """The C2SP verifier key (``name+keyid+base64``) of this key under ``origin``."""
        return VerifierKey(origin, ED25519, bytes.fromhex(self.public_key))


def check_configuration(app: Flask) -> None:
    """Refuse to start with a bad origin or pinned-keys file, and in production without
    ``CONSOLE_AUDIT_SIGNING_KEY`` and ``CONSOLE_AUDIT_PINNED_KEYS``."""
    try:
        check_key_name(origin(app))
    except NoteError as error:
        raise ConfigurationError(f"CONSOLE_AUDIT_ORIGIN: {error}") from error
    production = app.config.get("CONSOLE_ENV") == "production"
    if production and not app.config.get("AUDIT_SIGNING_KEY"):
        raise ConfigurationError(
            "CONSOLE_AUDIT_SIGNING_KEY is not set: the console refuses to run in production "
            "without the key that signs audit checkpoints. Create one with\n"
            "  openssl genpkey -algorithm ed25519 -out /etc/console/audit-signing-key.pem\n"
            "  chmod 600 /etc/console/audit-signing-key.pem\n"
            "and set CONSOLE_AUDIT_SIGNING_KEY to its path."
        )
    if production and not app.config.get("AUDIT_PINNED_KEYS"):
        raise ConfigurationError(
            "CONSOLE_AUDIT_PINNED_KEYS is not set: in production, verification of the audit "
            "trail must trust only keys kept outside the database. Print the checkpoint key "
            "with `flask audit key show`, put its line in a file the operator keeps (e.g. "
            "/etc/console/audit-pinned-keys.txt, read-only) and set CONSOLE_AUDIT_PINNED_KEYS "
            "to its path (docs/audit-format.md, 'Pinned keys')."
        )
    if app.config.get("AUDIT_PINNED_KEYS"):
        try:
            _read_pins(Path(app.config["AUDIT_PINNED_KEYS"]))
        except PinnedKeysError as error:
            raise ConfigurationError(f"CONSOLE_AUDIT_PINNED_KEYS: {error}") from error


def origin(app: Flask) -> str:
    """The trail's name in checkpoints and in the names of its keys."""
    return str(app.config.get("AUDIT_ORIGIN") or "")


def pinned_keys(app: Flask) -> PinnedKeys:
    """The keys checkpoints must be signed with (by the pinned-keys file, or in
    development by the signing key itself)."""
    configured = app.config.get("AUDIT_PINNED_KEYS")
    if configured:
        return PinnedKeys(_read_pins(Path(configured)), path=str(configured))
    try:
        key = signing_key(app)
    except SigningKeyError as error:
        return PinnedKeys(
            {}, note=f"no pinned-keys file, and the signing key is unreadable: {error}"
        )
    return PinnedKeys(
        {key.fingerprint: key.public_key},
        note="no pinned-keys file (CONSOLE_AUDIT_PINNED_KEYS): development trusts the signing key",
    )


def _read_pins(path: Path) -> dict[str, str | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise PinnedKeysError(f"cannot read the pinned-keys file {path}: {reason}") from error
    try:
        return parse_key_list(text)
    except NoteError as error:
        raise PinnedKeysError(f"{path}: {error}") from error


def key_path(app: Flask) -> Path:
    configured = app.config.get("AUDIT_SIGNING_KEY")
    return Path(configured) if configured else Path(app.instance_path) / DEV_KEY_FILENAME


def signing_key(app: Flask) -> SigningKey:
    """The configured key (generated first in development when none is configured)."""
    path = key_path(app)
    cache: dict[Path, SigningKey] = app.extensions.setdefault(CACHE_KEY, {})
    if path in cache:
        return cache[path]
    if not app.config.get("AUDIT_SIGNING_KEY"):
        check_configuration(app)
        if not path.exists():
            _generate(path)
    key = load(path)
    cache[path] = key
    return key


def identity(key: Ed25519PrivateKey, path: Path) -> SigningKey:
    raw = key.public_key().public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return SigningKey(key, raw.hex(), key_fingerprint(raw), path)


def pinned_keys_path(app: Flask) -> str:
    """Where the operator keeps the pinned keys (or a hint where to put them)."""
    return str(app.config.get("AUDIT_PINNED_KEYS") or "set CONSOLE_AUDIT_PINNED_KEYS")


def load(path: Path) -> SigningKey:
    """The Ed25519 private key in the PEM file at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SigningKeyError(
            f"cannot read the audit signing key {path}: {error.strerror}. "
            "Check CONSOLE_AUDIT_SIGNING_KEY and the file's permissions."
        ) from error
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise SigningKeyError(
            f"{path} is not an unencrypted PEM private key: create one with "
            "`openssl genpkey -algorithm ed25519 -out FILE`."
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key.")
    return identity(key, path)


def pem_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def _generate(path: Path) -> None:
    """Write a new key at ``path`` (mode 600) unless another process just did."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_write(path, replace=False) as handle:
            handle.write(pem_bytes(Ed25519PrivateKey.generate()))
    except FileExistsError:
        return  # another process was first
    log.warning(
        "No CONSOLE_AUDIT_SIGNING_KEY is set: generated a development key for audit "
        "checkpoints at %s. Production needs its own key.",
        path,
    )
