"""``flask users import`` (the office's register) and ``flask terms import`` (Art. 10)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from console import db
from console.audit import COMMAND_LINE
from console.timeutil import from_jst, to_jst, utcnow
from console.users import importer, register, service

users_group = AppGroup("users", help="Service users (利用者).")
terms_group = AppGroup("terms", help="Versions of the terms of use (Art. 10).")

IMPORT_HELP = (
    "Load service users from the office's register FILE (CSV).\n\n"
    "The file may be UTF-8 (with or without BOM) or Shift_JIS/CP932. The first row names the "
    "columns, in English or Japanese:\n\n"
    "\b\n"
    "  reference_no (利用者番号)       required, e.g. HW-2024-000123\n"
    "  name_kanji (氏名)               required\n"
    "  name_kana (フリガナ)            required; katakana, hiragana or half-width\n"
    "  registration_route (登録方法)   required: online/office (オンライン/窓口)\n"
    "  birth_date (生年月日)           optional, YYYY-MM-DD or YYYY/MM/DD\n"
    "  services (利用サービス)         optional, ';'-separated: individual_counseling,\n"
    "                                  seminar, interview_fair (個別相談、セミナー、面接会)\n"
    "  counseling_eligible (個別相談対象) optional: 1/0, yes/no, はい/いいえ\n"
    "  terms_agreed_on (規約同意日)    optional date; records the version then in force\n"
    "  assigned_counselor (担当相談員) optional staff login ID\n\n"
    "The same rules apply as in the registration form (dates of birth from 1900 to today, "
    "agreement dates from 2000 to today, no control characters). Every line is checked "
    "first and every bad one reported with its line number and the reason; when any is bad "
    "nothing is imported, unless --skip-bad is given. The good lines are then imported in "
    "batches of 1,000 (other staff keep working meanwhile), each user with one audit entry "
    "(service_user.imported). If an import stops half-way, the batches before stay "
    "imported: run the same file again with --skip-bad to import the rest."
)


@users_group.command("import", help=IMPORT_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some are bad.")
def import_command(file: Path, skip_bad: bool) -> None:
    try:
        text = register.decode(file.read_bytes())
        today = to_jst(utcnow()).date()
        with db.transaction(write=False) as session:
            references = importer.load_references(session)
            checked = importer.check(session, register.read_rows(text, today), references)
    except register.RegisterError as error:
        raise click.ClickException(str(error)) from error
    for problem in checked.problems:
        click.echo(f"line {problem.line}: {problem.reason}", err=True)
    if checked.problems and not skip_bad:
        raise click.ClickException(
            f"{len(checked.problems)} bad row(s): nothing imported (fix them or use --skip-bad)"
        )
    bad_lines = {problem.line for problem in checked.problems}
    good = (
        row
        for row in register.read_rows(text, today)
        if isinstance(row, register.RegisterRow) and row.line not in bad_lines
    )
    with _progress(checked.good) as advance:
        try:
            imported = importer.import_rows(
                good,
                actor=COMMAND_LINE,
                references=references,
                file_name=file.name,
                progress=advance,
            )
        except importer.ImportStoppedError as error:
            raise click.ClickException(
                f"{error}: run the same file again with --skip-bad to import the rest"
            ) from error
    skipped = f", skipped {len(bad_lines)} bad row(s)" if bad_lines else ""
    click.echo(f"imported {imported} service user(s){skipped}")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A bar on a terminal; in a log, a line every 10% (a large register takes a while)."""
    if sys.stderr.isatty():
        with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
            yield bar.update
        return
    done = 0
    step = max(total // 10, importer.BATCH_SIZE)

    def advance(count: int) -> None:
        nonlocal done
        before, done = done, done + count
        if total > importer.BATCH_SIZE and done // step > before // step:
            click.echo(f"imported {done} of {total}", err=True)

    yield advance


@terms_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--effective",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day (Japan time) the version takes effect, YYYY-MM-DD.",
)
@click.option("--label", required=True, help="How staff name it, e.g. 令和4年5月1日施行.")
def terms_import_command(file: Path, effective: datetime, label: str) -> None:
    """Add the version of the terms in FILE (UTF-8 or Shift_JIS text), in force from --effective."""
    label = label.strip()
    if not label or len(label) > 100:
        raise click.ClickException("--label must be 1 to 100 characters")
    try:
        text = register.decode(file.read_bytes()).strip()
    except register.RegisterError as error:
        raise click.ClickException(str(error)) from error
    if not text:
        raise click.ClickException(f"{file} is empty")
    moment = from_jst(effective)
    with db.transaction() as session:
        if service.terms_version_at(session, moment) is not None:
            raise click.ClickException(f"a version already takes effect on {effective:%Y-%m-%d}")
        version = service.add_terms_version(
            session, actor=COMMAND_LINE, label=label, effective_from=moment, text=text
        )
        click.echo(f"added terms version {version.id} ({label}), effective {effective:%Y-%m-%d}")
