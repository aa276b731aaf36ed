"""Searching service users: kana in any script, width-insensitive reference numbers."""

from __future__ import annotations

import pytest

from console.users import service
from console.users.search import is_kana, kana_key, reference_key, to_katakana
from tests.factories import make_user, reading


@pytest.mark.parametrize(
    "typed", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "山田", "山田太郎", "ＨＷ－２０２４", "hw-2024"]
)
def test_each_way_of_typing_finds_yamada(app, typed):
    yamada = make_user(app, "山田 太郎", "ヤマダ タロウ", reference_no="HW-2024-000123")
    make_user(app, "鈴木 花子", "スズキ ハナコ", reference_no="HW-2025-000456")
    with reading(app) as session:
        found = service.search_service_users(session, query=typed).users
    assert [user.id for user in found] == [yamada.id]


def test_half_width_kana_is_stored_as_full_width_katakana(app):
    user = make_user(app, "山田 太郎", "ﾔﾏﾀﾞ ﾀﾛｳ")
    assert user.name_kana == "ヤマダ タロウ"
    assert user.name_kana_key == "ヤマダタロウ"


def test_percent_and_underscore_are_searched_literally(app):
    make_user(app, "山田 太郎", "ヤマダ タロウ")
    with reading(app) as session:
        assert service.search_service_users(session, query="%").users == []
        assert service.search_service_users(session, query="_").users == []


def test_keyset_pages_walk_every_user_once_in_kana_order(app):
    kana = ["アオキ", "イトウ", "ウエダ", "エンドウ", "オオタ"] * 2
    for index, name in enumerate(kana):
        make_user(app, f"利用者{index}", name)
    seen, after = [], None
    with reading(app) as session:
        while True:
            page = service.search_service_users(session, after=after, limit=3)
            seen.extend(page.users)
            if page.next_after is None:
                break
            after = page.next_after
    assert len({user.id for user in seen}) == 10
    assert [user.name_kana_key for user in seen] == sorted(kana)


def test_helpers():
    assert kana_key("ﾔﾏﾀﾞ ﾀﾛｳ") == kana_key("やまだ　たろう") == "ヤマダタロウ"
    assert reference_key("ｈｗ－２０２４－０００１２３") == "HW-2024-000123"
    assert to_katakana("やまだ　たろう") == "ヤマダ タロウ"
    assert is_kana("ヤマダ・タロー")
    assert not is_kana("山田")


def test_find_by_reference_ignores_what_cannot_be_a_number(app):
    user = make_user(app, reference_no="HW-2024-000123")
    with reading(app) as session:
        assert service.find_by_reference(session, "ｈｗ－２０２４－０００１２３").id == user.id
        assert service.find_by_reference(session, "HW-2024-000123\x00") is None
        assert service.find_by_reference(session, "") is None
