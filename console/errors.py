"""Error pages in Japanese and English, with a request id and never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from console import db
from console.files import FileWriteError

log = logging.getLogger("console.errors")

RETRY_AFTER_SECONDS = 30

MESSAGES = {
    400: (
        _l("The request could not be understood"),
        _l(
            "Something in the request was missing or malformed. Go back, reload the page and try again."
        ),
    ),
    401: (_l("Please sign in"), _l("Sign in to use this page.")),
    403: (
        _l("You cannot use this page"),
        _l(
            "Your role does not allow this. If you need it, ask your supervisor or the administrator."
        ),
    ),
    404: (
        _l("Page not found"),
        _l(
            "The address may be wrong, or the page no longer exists. Use the menu to find what you need."
        ),
    ),
    405: (
        _l("This action is not allowed here"),
        _l("Use the buttons on the page rather than typing the address."),
    ),
    413: (
        _l("The file is too large"),
        _l(
            "The file is larger than the console accepts. Make it smaller (for example, split a log or compress an image) and try again."
        ),
    ),
    422: (_l("The input could not be processed"), _l("Check what you entered and try again.")),
    429: (_l("Too many requests"), _l("Wait a moment and try again.")),
    507: (
        _l("The console could not save a file"),
        _l(
            "The server's disk may be full. Nothing was saved or recorded. Tell the administrator the request number below."
        ),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "The console could not finish this request and nothing was saved. Try again; if it happens again, tell the administrator the request number below."
        ),
    ),
}


def _render(code: int) -> Response | tuple[str, int]:
    db.rollback_request()
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    try:
        html = render_template(
            "errors/error.html",
            code=code,
            title=title,
            message=message,
            request_id=g.get("request_id", ""),
        )
    except DBAPIError as error:  # the layout's menu needs the database, which just went away
        if not db.is_unavailable(error):
            raise
        return handle_database_error(error)
    return html, code


def handle_http_error(error: HTTPException) -> Response | tuple[str, int]:
    """Any 4xx or 5xx raised with ``abort`` or by Werkzeug."""
    return _render(error.code or 500)


def handle_csrf_error(_error: CSRFError) -> Response | tuple[str, int]:
    """A form without a valid CSRF token: a 400 telling the person to reload."""
    return _render(400)


def handle_unexpected(error: Exception) -> Response | tuple[str, int]:
    """A bug: logged with the request id, shown as a generic 500."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception(
        "unhandled error in request %s %s [%s]",
        request.method,
        request.path,
        g.get("request_id", ""),
    )
    return _render(InternalServerError.code)


def handle_database_error(error: DBAPIError) -> Response | tuple[str, int]:
    """The database is down, restarting or locked: a 503 page that needs no database."""
    if not db.is_unavailable(error):
        return handle_unexpected(error)
    log.warning(
        "database unavailable in request %s %s [%s]: %s",
        request.method,
        request.path,
        g.get("request_id", ""),
        db.reason(error),
    )
    db.discard_request_session()
    # Rendered without the layout's context processors: the menu and the signed-in staff
    # member both come from the database.
    html = current_app.jinja_env.get_template("errors/outage.html").render(
        request_id=g.get("request_id", ""),
        retry_after=RETRY_AFTER_SECONDS,
        reload=request.method == "GET",
    )
    response = Response(html, 503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_file_write_error(error: FileWriteError) -> Response | tuple[str, int]:
    """A full disk while building a download: nothing recorded, a page that says so."""
    log.error("file write failed in request %s [%s]: %s", request.path, g.get("request_id"), error)
    return _render(507)


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(FileWriteError, handle_file_write_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
