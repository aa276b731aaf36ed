"""The catalogues: complete, and no two features translating the same words differently.

Flask-Babel merges every feature's catalogue into one, so a msgid translated two ways
would silently take whichever catalogue is merged last.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

from console import PROJECT_ROOT
from console.i18n import translation_directories

CATALOGUES = sorted((PROJECT_ROOT / "console").glob("**/translations/ja/LC_MESSAGES/messages.po"))


def messages(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    return {str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.id, str)}


def test_the_app_loads_exactly_the_catalogues_checked_here(app):
    """Each translation folder the app reads holds a Japanese catalogue, and no catalogue
    lies where the app would not read it (and these tests would check it for nothing)."""
    loaded = [
        Path(folder) / "ja" / "LC_MESSAGES" / "messages.po"
        for folder in translation_directories(app)
    ]
    assert [path for path in loaded if not path.is_file()] == []
    assert len(CATALOGUES) == len(loaded)
    assert sorted(loaded) == CATALOGUES


def test_every_message_is_translated():
    missing = [
        f"{path.relative_to(PROJECT_ROOT)}: {msgid!r}"
        for path in CATALOGUES
        for msgid, text in messages(path).items()
        if not text
    ]
    assert missing == []


def test_no_message_is_translated_two_ways():
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in CATALOGUES:
        for msgid, text in messages(path).items():
            seen[msgid][text].append(str(path.relative_to(PROJECT_ROOT / "console")).split("/")[0])
    clashes = {msgid: dict(texts) for msgid, texts in seen.items() if len(texts) > 1}
    assert clashes == {}
