"""A 100 MB upload is streamed: memory stays flat while it is stored, hashed and sent back."""

from __future__ import annotations

import hashlib
import resource
import tracemalloc

import pytest

from console.evidence.models import Evidence
from console.permissions import Role
from tests.conftest import make_app
from tests.factories import PASSWORD, make_incident, reading
from tests.uploads import GeneratedFile, evidence_id_from, tiny_png, upload

SIZE = 100 * 1024 * 1024
LIMIT = 32 * 1024 * 1024


def _expected_sha256() -> str:
    digest = hashlib.sha256()
    source = GeneratedFile(SIZE, head=tiny_png())
    while chunk := source.read(1024 * 1024):
        digest.update(chunk)
    return digest.hexdigest()


def _max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


@pytest.mark.slow
def test_a_100_mb_upload_and_download_keep_memory_growth_under_32_mb(database_url, make_staff):
    app = make_app(database_url, MAX_CONTENT_LENGTH=SIZE + 1024 * 1024)
    try:
        client = app.test_client()
        staff = make_staff(Role.COUNSELOR)
        client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
        incident = make_incident(app)
        expected = _expected_sha256()

        rss_before = _max_rss_bytes()
        tracemalloc.start()
        try:
            response = upload(
                client, incident.id, GeneratedFile(SIZE, head=tiny_png()), "大きな画像.png"
            )
            upload_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            download = client.get(
                f"/evidence/{evidence_id_from(response)}/download", buffered=False
            )
            digest = hashlib.sha256()
            received = 0
            for piece in download.response:
                digest.update(piece)
                received += len(piece)
            download.close()
            download_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        rss_growth = _max_rss_bytes() - rss_before

        assert response.status_code == 302
        assert upload_peak < LIMIT, f"upload peaked at {upload_peak / 2**20:.1f} MiB"
        assert download_peak < LIMIT, f"download peaked at {download_peak / 2**20:.1f} MiB"
        assert rss_growth < LIMIT, f"resident memory grew {rss_growth / 2**20:.1f} MiB"
        with reading(app) as session:
            stored = session.get(Evidence, evidence_id_from(response))
            assert stored.size == SIZE
            assert stored.chunk_count == 100
            assert stored.sha256 == expected
        assert received == SIZE
        assert digest.hexdigest() == expected
    finally:
        app.extensions["console.engine"].dispose()
