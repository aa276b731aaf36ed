"""Art. 4-1, 4-2: device identifiers and access records are never shown in a form that
identifies a device, except through an approved legal-disclosure request.

Masking happens when text is shown or exported; the stored original is untouched. Each
masked value carries a short keyed hash (HMAC-SHA256 with ``MASK_KEY``, first 8 hex
digits) so staff can still see that two incidents involve the same device.

What is masked (one pass, leftmost match first):

- meeting-app participant ids: a label ``participant id`` / ``participant_id`` /
  ``participant-id`` / ``participantid`` / ``参加者ID`` (any case), then ``:`` ``：`` or
  ``=``, optional spaces, then the value (everything up to a space, comma, semicolon or
  quote). Only the value is replaced: ``participant_id=**** [#1a2b3c4d]``;
- UUIDs (8-4-4-4-12 hex): ``device ****-4f2a [#…]`` (last four hex digits kept);
- MAC addresses (six hex pairs with ``:`` or ``-``, or ``xxxx.xxxx.xxxx``): ``device ****-4d5e [#…]``;
- IPv6 addresses (validated with ``ipaddress``): ``2001:db8::xxxx [#…]``;
- IPv4 addresses: ``203.0.113.xxx [#…]``;
- IMEI-like numbers (15 digits, optionally grouped 2-6-6-1 with ``-`` or spaces):
  ``device ****-1481 [#…]``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from markupsafe import Markup, escape

_HEX = "[0-9A-Fa-f]"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
PATTERN = re.compile(
    "|".join(
        (
            r"(?P<participant>(?:\b[Pp][Aa][Rr][Tt][Ii][Cc][Ii][Pp][Aa][Nn][Tt][ _-]?[Ii][Dd]|参加者ID)"
            r"\s*[:：=]\s*)(?P<participant_value>[^\s,;\"']+)",
            rf"(?P<uuid>(?<!{_HEX}){_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}(?!{_HEX}))",
            rf"(?P<mac>(?<![\w:-]){_HEX}{{2}}(?P<macsep>[:-])(?:{_HEX}{{2}}(?P=macsep)){{4}}{_HEX}{{2}}(?![\w:-])"
            rf"|(?<![\w.]){_HEX}{{4}}\.{_HEX}{{4}}\.{_HEX}{{4}}(?![\w.]))",
            r"(?P<ipv6>(?<![\w:.])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{2,39}(?![\w:.]))",
            rf"(?P<ipv4>(?<![\w.]){_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?![\w.]|\.\d))",
            r"(?P<imei>(?<![\w-])\d{2}(?P<imeisep>[- ]?)\d{6}(?P=imeisep)\d{6}(?P=imeisep)\d(?![\w-]))",
        )
    )
)


def short_hash(value: str, key: str | None = None) -> str:
    """The first 8 hex digits of HMAC-SHA256 over a normalised identifier."""
    secret = key if key is not None else _mask_key()
    return hmac.new(secret.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()[:8]


def _mask_key() -> str:
    if has_app_context():
        return str(current_app.config["MASK_KEY"])
    raise RuntimeError("masking needs the app's MASK_KEY: call inside an app context")


def _device(normalised: str, key: str) -> str:
    return f"device ****-{normalised[-4:]} [#{short_hash(normalised, key)}]"


def _replacement(match: re.Match[str], key: str) -> str | None:
    """The masked form of one match, or None when the candidate is no identifier."""
    text = match.group(0)
    if match.group("participant") is not None:
        value = match.group("participant_value")
        return f"{match.group('participant')}**** [#{short_hash('pid:' + value, key)}]"
    if match.group("uuid") is not None:
        return _device(text.lower().replace("-", ""), key)
    if match.group("mac") is not None:
        return _device(re.sub(r"[^0-9a-f]", "", text.lower()), key)
    if match.group("ipv6") is not None:
        try:
            address = ipaddress.IPv6Address(text)
        except ValueError:
            return None
        head = ":".join(address.exploded.split(":")[:2]).replace("0000", "0")
        head = ":".join(part.lstrip("0") or "0" for part in head.split(":"))
        return f"{head}::xxxx [#{short_hash(address.compressed, key)}]"
    if match.group("ipv4") is not None:
        prefix = text.rsplit(".", 1)[0]
        return f"{prefix}.xxx [#{short_hash(text, key)}]"
    if match.group("imei") is not None:
        return _device(re.sub(r"\D", "", text), key)
    return None


def _pieces(text: str, key: str) -> list[tuple[str, bool]]:
    """``text`` split into (piece, is_masked) in order."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in PATTERN.finditer(text):
        replacement = _replacement(match, key)
        if replacement is None:
            continue
        pieces.append((text[position : match.start()], False))
        pieces.append((replacement, True))
        position = match.end()
    pieces.append((text[position:], False))
    return pieces


def mask_text(text: str | None, key: str | None = None) -> str:
    """Plain text with every identifier masked (for exports and downloads)."""
    if not text:
        return ""
    secret = key if key is not None else _mask_key()
    return "".join(piece for piece, _masked in _pieces(text, secret))


def mask_html(text: str | None, key: str | None = None) -> Markup:
    """Escaped HTML with every identifier masked and marked; safe to put in any template."""
    if not text:
        return Markup("")
    secret = key if key is not None else _mask_key()
    wrap: Callable[[str], Markup] = lambda piece: Markup(  # noqa: E731
        '<span class="masked-id">{}</span>'
    ).format(piece)
    return Markup("").join(
        wrap(piece) if masked else escape(piece) for piece, masked in _pieces(str(text), secret)
    )


def contains_identifier(text: str, key: str = "probe") -> bool:
    """Whether masking would change ``text``."""
    return mask_text(text, key) != text


def init_app(app: Flask) -> None:
    """The filters every page masks with: ``{{ text|mask }}`` (HTML) and ``|mask_text``."""
    app.jinja_env.filters["mask"] = mask_html
    app.jinja_env.filters["mask_text"] = mask_text
