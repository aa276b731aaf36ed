"""The Ed25519 key that signs checkpoints (``CONSOLE_AUDIT_SIGNING_KEY``, a PEM file path).

In development and tests, when no key is configured, one is generated on first use in
the instance folder (``instance/audit-signing-key.pem``, mode 600) and the log says so.
In production the console refuses to start without a configured key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask

from console.audit.canonical import key_fingerprint
from console.config import ConfigurationError
from console.files import atomic_write

DEV_KEY_FILENAME = "audit-signing-key.pem"
CACHE_KEY = "console.audit.signing_keys"
log = logging.getLogger(__name__)


class SigningKeyError(RuntimeError):
    """The signing key cannot be read; the message says what to do."""


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public_key: str  # raw 32 bytes, hex
    fingerprint: str  # SHA-256 of the raw public key, hex
    path: Path

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()


def check_configuration(app: Flask) -> None:
    """Refuse to start in production without ``CONSOLE_AUDIT_SIGNING_KEY``."""
    if app.config.get("CONSOLE_ENV") == "production" and not app.config.get("AUDIT_SIGNING_KEY"):
        raise ConfigurationError(
            "CONSOLE_AUDIT_SIGNING_KEY is not set: the console refuses to run in production "
            "without the key that signs audit checkpoints. Create one with\n"
            "  openssl genpkey -algorithm ed25519 -out /etc/console/audit-signing-key.pem\n"
            "  chmod 600 /etc/console/audit-signing-key.pem\n"
            "and set CONSOLE_AUDIT_SIGNING_KEY to its path."
        )


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
    key = _load(path)
    cache[path] = key
    return key


def identity(key: Ed25519PrivateKey, path: Path) -> SigningKey:
    raw = key.public_key().public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return SigningKey(key, raw.hex(), key_fingerprint(raw), path)


def _load(path: Path) -> SigningKey:
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
