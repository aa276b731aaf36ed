"""Files for evidence tests, made in memory, and the upload as a browser sends it."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def fake_exe() -> bytes:
    """The start of a Windows executable (MZ header, PE signature)."""
    head = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 64)
    head[0x3C:0x40] = struct.pack("<I", 0x80)
    return bytes(head[:0x80]) + b"PE\x00\x00" + b"\x00" * 400


ACCESS_LOG_CSV = (
    "時刻,参加者,IPアドレス,端末\n"
    "2026-12-01 21:58:03,participant_id=AB12CD,203.0.113.45,00:1A:2B:3C:4D:5E\n"
    "2026-12-01 22:01:10,participant_id=AB12CD,2001:db8::42,123e4567-e89b-12d3-a456-426614174000\n"
    "2026-12-01 22:03:44,participant_id=ZZ99,198.51.100.7,352099001761481\n"
)


class GeneratedFile:
    """A file object whose bytes are made on demand: ``size`` bytes, never all in memory."""

    def __init__(self, size: int, head: bytes = b"", block: int = 1024 * 1024) -> None:
        self.remaining = size
        self.head = head
        self.pattern = (b"0123456789abcdef" * (block // 16 + 1))[:block]

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        if size is None or size < 0:
            size = self.remaining
        size = min(size, self.remaining, len(self.pattern))
        if self.head:
            piece, self.head = self.head[:size], self.head[size:]
        else:
            piece = self.pattern[:size]
        self.remaining -= len(piece)
        return piece


def upload(client: Any, incident_id: int, data: bytes | Any, filename: str, **extra: Any) -> Any:
    """POST a file through the real add-file form, as a browser sends it.

    The multipart body is encoded here (to a temporary file past 500 KB, as the test client
    does) so it can be closed afterwards: the test client leaves its own copy open.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    fields = {
        "file": FileStorage(stream, filename=filename, content_type="application/octet-stream")
    }
    body, length, boundary = stream_encode_multipart({**fields, **extra})
    try:
        return client.post(
            f"/incidents/{incident_id}/evidence/file",
            input_stream=body,
            content_length=length,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    finally:
        body.close()


def evidence_id_from(response: Any) -> int:
    """The id in the redirect to the new item's page."""
    location = response.headers["Location"]
    return int(location.rstrip("/").rsplit("/", 1)[-1])


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]
