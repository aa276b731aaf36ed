"""Fill translations into a catalogue: ``python scripts/po_fill.py PO_FILE < translations.json``.

The JSON maps each English msgid to its Japanese text. Prints the msgids still
untranslated afterwards, so a feature's catalogue can be completed in one pass.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(po_path: str) -> int:
    path = Path(po_path)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    updates: dict[str, str] = json.load(sys.stdin)
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in updates:
            message.string = updates[message.id]
            message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=True, omit_header=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
