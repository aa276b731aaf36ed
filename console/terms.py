"""The articles of the terms an incident can fall under (ARTICLES.md; the Japanese text rules).

Codes are stable identifiers stored in the database: ``art7.1`` is Art. 7 item (1).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Category:
    code: str
    article: str  # how the terms cite it, e.g. "第7条(2)"
    label: LazyString
    text_ja: str  # the clause as the terms say it, for decision notices

    @property
    def title(self) -> str:
        return f"{self.article} {self.label}"


CATEGORIES: tuple[Category, ...] = (
    # Art. 7: prohibited acts (禁止事項)
    Category(
        "art7.1",
        "第7条(1)",
        _l("Infringing intellectual property"),
        "ハローワークまたは第三者の特許権、実用新案権、意匠権、商標権、著作権、ノウハウ等その他の一切の知的財産権を侵害する行為",
    ),
    Category(
        "art7.2",
        "第7条(2)",
        _l("Making other users uncomfortable"),
        "他の利用者に不快感を与える行為",
    ),
    Category(
        "art7.3",
        "第7条(3)",
        _l("Damaging credit or honour, infringing privacy or portrait rights"),
        "他人の信用若しくは名誉を棄損し、または他人のプライバシー権、肖像権その他一切の権利を侵害する行為",
    ),
    Category(
        "art7.4",
        "第7条(4)",
        _l("Obstructing the service or other users"),
        "本サービスの提供または他の利用者による本サービスの利用を妨害し、若しくはそれらに支障をきたす行為",
    ),
    Category(
        "art7.5",
        "第7条(5)",
        _l("Against the law or public order and morals"),
        "法令または公序良俗に反する行為",
    ),
    Category(
        "art7.6",
        "第7条(6)",
        _l("Otherwise inappropriate, e.g. use not for job seeking"),
        "その他、就職活動以外の目的で本サービスを利用する等、ハローワークが不適切と判断する行為",
    ),
    # Art. 3: the required environment (利用環境), by item
    Category(
        "art3.1",
        "第3条(1)",
        _l("Environment: device not free of malware"),
        "利用者はウイルス感染等のセキュリティ侵害が発生していない安全な端末を利用すること。",
    ),
    Category(
        "art3.2",
        "第3条(2)",
        _l("Environment: free or unsafe internet connection"),
        "利用者端末はインターネットに接続されていること。（秘匿性や安全性が不明なものや接続経路の管理状況が不明な無料のインターネット接続サービス等の利用は禁止する。）",
    ),
    Category(
        "art3.3",
        "第3条(3)",
        _l("Environment: unsupported or unpatched OS"),
        "利用者端末のOSはサポート期間中のものを用い、最新のセキュリティ対策パッチを適用すること。",
    ),
    Category(
        "art3.4",
        "第3条(4)",
        _l("Environment: personal firewall off"),
        "パーソナルファイアウォールの機能を有効にし、必要なサービスの許可だけを最小限に設定すること。",
    ),
    Category(
        "art3.5",
        "第3条(5)",
        _l("Environment: file-sharing or unneeded software running"),
        "利用者端末にファイル共有ソフト（Winny、Share 等）がインストールされていないこと。また、本サービス利用中に不要なソフトは起動しないこと。",
    ),
    Category(
        "art3.6",
        "第3条(6)",
        _l("Environment: no up-to-date antivirus"),
        "利用者端末にウイルス対策ソフト（有償版相当）がインストールされており、また最新のパターンファイルに更新されていること。",
    ),
    # Art. 4-3: recording, out-of-purpose use; Art. 6 (2): third party present
    Category(
        "art4.3",
        "第4条第3項",
        _l("Recording or out-of-purpose use"),
        "利用者は、本サービス利用時に知り得た情報は、本サービス実施の目的のみに使用し、目的外の利用をしないこととする。また、ハローワークが指定する機能のみを利用し、本サービス内容の記録（録音・録画）をしないこととする。",
    ),
    Category(
        "art6.2",
        "第6条(2)",
        _l("Unannounced third party present"),
        "秘密保持のため、利用者は個室又は周囲に他人がいない環境においてサービスを利用することとし、通訳、介助者等の同席が必要な場合には、予め当ハローワークに申し出ること。",
    ),
)

BY_CODE = {category.code: category for category in CATEGORIES}

# Art. 9-2, cited by every suspension decision.
ART_9_2 = (
    "利用者が本規約に違反したとハローワークが判断した場合、ハローワークは通知等をおこなうことなく"
    "当該利用者との間において本規約を解約し、当該利用者に本サービスの利用を中止させることができる。"
)


def category(code: str) -> Category:
    """The category with ``code``; KeyError for an unknown code."""
    return BY_CODE[code]


def category_choices() -> dict[str, str]:
    """Code → "第7条(2) label" for forms (WTForms 3.3 wants a dict, not tuples)."""
    return {item.code: item.title for item in CATEGORIES}
