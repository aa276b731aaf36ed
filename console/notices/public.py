"""The public pages (no login): the list, JSON, an Atom feed and an embeddable banner.

Nothing here names staff or internal reasons: only the fields of ``state.public_payload``
and the notice texts written for the public are shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import force_locale

from console import db
from console.i18n import LANGUAGES
from console.notices import service, state
from console.permissions import public
from console.timeutil import to_jst, utcnow
from console.users.models import TermsVersion

bp = Blueprint("notices", __name__)
BANNER_MAX_AGE = 60
FEED_MAX_AGE = 60


def _iso(moment: datetime | None) -> str | None:
    return to_jst(moment).isoformat(timespec="seconds") if moment else None


def _terms(notice_id: int | None) -> TermsVersion | None:
    return db.session().get(TermsVersion, notice_id) if notice_id else None


@bp.route("/notices")
@public
def index() -> str:
    """In-progress and upcoming notices first, then those of the last 90 days."""
    now = utcnow()
    listing = service.public_notices(db.session(), now)
    versions = {n.terms_version_id: _terms(n.terms_version_id) for n in listing.all}
    return render_template("notices/public_list.html", listing=listing, now=now, versions=versions)


@bp.route("/notices.json")
@public
def as_json() -> Response:
    """The same notices as /notices, as JSON with Japan-time ISO 8601 times."""
    now = utcnow()
    listing = service.public_notices(db.session(), now)
    items = [_json_item(notice, now) for notice in listing.all]
    response = jsonify({"generated_at": _iso(now), "notices": items})
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json_item(notice: Any, now: datetime) -> dict[str, Any]:
    item = state.public_payload(notice, now)
    for key in ("starts_at", "planned_end_at", "actual_end_at", "published_at", "updated_at"):
        item[key] = _iso(item[key])
    version = _terms(notice.terms_version_id)
    item["terms_version"] = (
        {"label": version.label, "effective_from": _iso(version.effective_from)}
        if version
        else None
    )
    item["url"] = url_for("notices.index", _external=True, _anchor=f"notice-{notice.id}")
    return item


@bp.route("/notices.atom")
@public
def as_atom() -> Response:
    """An Atom feed (RFC 4287): one entry per notice, ``updated`` moving with each change."""
    now = utcnow()
    listing = service.public_notices(db.session(), now)
    entries = sorted(listing.all, key=lambda n: state.public_updated_at(n, now), reverse=True)
    updated = max((state.public_updated_at(n, now) for n in entries), default=now)
    with force_locale("ja"):
        body = render_template("notices/feed.xml", entries=entries, updated=updated, now=now)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    return response


@bp.route("/notices/banner")
@public
def banner() -> Response:
    """A plain HTML fragment of the stops in progress, for other office pages to embed."""
    language = request.args.get("lang", "ja")
    if language not in LANGUAGES:
        abort(400, description="lang must be ja or en")
    with force_locale(language):
        body = render_template(
            "notices/banner.html", notices=service.live_notices(db.session()), lang=language
        )
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = f"public, max-age={BANNER_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/notices/terms/<int:version_id>")
@public
def terms(version_id: int) -> str:
    """The text of a terms version announced by a public terms-change notice (Art. 10)."""
    listing = service.public_notices(db.session())
    if not any(n.terms_version_id == version_id for n in listing.all):
        abort(404)
    version = _terms(version_id)
    if version is None:
        abort(404)
    return render_template("notices/public_terms.html", version=version)
