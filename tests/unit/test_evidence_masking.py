"""Art. 4-1, 4-2: identifiers in free text are masked when shown, with a keyed short hash."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from console.evidence.service import LONGEST_LINE, _cut_long_line
from console.masking import mask_html, mask_text, short_hash

KEY = "test-mask-key"


@pytest.mark.parametrize(
    ("raw", "secret", "shown"),
    [
        ("接続元は 203.0.113.45 でした", "203.0.113.45", "203.0.113.xxx [#"),
        ("from 2001:db8::42 again", "2001:db8::42", "2001:db8::xxxx [#"),
        ("full 2001:0db8:0000:0000:0000:0000:0000:0042", "0000:0042", "2001:db8::xxxx [#"),
        ("端末 00:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5E", "device ****-4d5e [#"),
        ("mac 00-1a-2b-3c-4d-5e", "00-1a-2b-3c-4d-5e", "device ****-4d5e [#"),
        ("cisco 001a.2b3c.4d5e", "001a.2b3c.4d5e", "device ****-4d5e [#"),
        ("id 123e4567-e89b-12d3-a456-426614174000", "123e4567", "device ****-4000 [#"),
        ("IMEI 352099001761481", "352099001761481", "device ****-1481 [#"),
        ("IMEI 35-209900-176148-1", "35-209900-176148-1", "device ****-1481 [#"),
        ("participant_id=AB12CD が退出", "AB12CD", "participant_id=**** [#"),
        ("Participant ID: q-77", "q-77", "Participant ID: **** [#"),
        ("参加者ID：XYZ9", "XYZ9", "参加者ID：**** [#"),
    ],
)
def test_identifiers_are_masked(raw, secret, shown):
    masked = mask_text(raw, KEY)
    assert secret not in masked
    assert shown in masked


def test_ordinary_text_is_left_alone():
    text = "22:05 に 03-1234-5678 へ電話。2026-12-01 面談、version 1.2.3、10:30:00 終了"
    assert mask_text(text, KEY) == text


def test_the_same_device_gives_the_same_short_hash_however_written():
    forms = ["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"]
    hashes = {mask_text(form, KEY) for form in forms}
    assert len(hashes) == 1
    assert mask_text("2001:db8::42", KEY) == mask_text("2001:0db8:0:0:0:0:0:42", KEY)
    assert mask_text("203.0.113.45", KEY) != mask_text("203.0.113.46", KEY)


def test_the_hash_depends_on_the_key():
    assert short_hash("203.0.113.45", "a") != short_hash("203.0.113.45", "b")
    assert len(short_hash("x", KEY)) == 8


def test_html_masking_escapes_user_text_first():
    html = mask_html('<script>alert(1)</script> 203.0.113.9 participant_id="><b>', KEY)
    assert isinstance(html, Markup)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html
    assert '<span class="masked-id">203.0.113.xxx [#' in html


def test_html_masking_of_nothing_is_empty():
    assert mask_html(None, KEY) == Markup("")
    assert mask_text("", KEY) == ""


def test_a_very_long_line_is_cut_at_a_separator_not_inside_an_identifier():
    line = ("x" * 100 + ",203.0.113.45,") * (LONGEST_LINE // 110 + 10)
    head, rest = _cut_long_line(line)
    assert head.endswith(",")
    assert head + rest == line
    assert len(rest) < LONGEST_LINE
    assert "203.0.113.45" not in mask_text(head, KEY)
