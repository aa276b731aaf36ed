"""The office's online services (本サービス): what users enrol in, incidents happen in,
suspensions stop and notices announce."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from console.labels import Labelled


class OnlineService(Labelled):
    INDIVIDUAL_COUNSELING = (
        "individual_counseling",
        _l("Individual job counseling"),
    )  # 個別の職業相談 (Art. 1 (4))
    SEMINAR = "seminar", _l("Seminars")  # セミナー
    INTERVIEW_FAIR = "interview_fair", _l("Interview fairs")  # 面接会
    BOOKING_PAGE = "booking_page", _l("Online booking page")  # オンライン予約ページ (notices only)


# The services a person is enrolled in, has incidents in, and can be suspended from.
USER_SERVICES = (
    OnlineService.INDIVIDUAL_COUNSELING,
    OnlineService.SEMINAR,
    OnlineService.INTERVIEW_FAIR,
)


def service_choices(services: tuple[OnlineService, ...] = USER_SERVICES) -> dict[str, str]:
    """Value → label for a form's select field (WTForms 3.3 wants a dict, not tuples)."""
    return {service.value: service.label for service in services}
