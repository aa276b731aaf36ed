"""Where features plug their time transitions into the one scheduler process.

A sweep records, exactly once, the transitions that became true since the last
run (a notice went live, a suspension ended…). It receives the session of its own
transaction and "now", and returns how many transitions it recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlmodel import Session

SWEEPS_KEY = "console.sweeps"

SweepFunc = Callable[[Session, datetime], int]


@dataclass(frozen=True)
class Sweep:
    name: str
    run: SweepFunc


def register_sweep(app: Flask, name: str, run: SweepFunc) -> None:
    """Add a sweep; the scheduler runs every registered sweep on each tick."""
    sweeps: dict[str, Sweep] = app.extensions.setdefault(SWEEPS_KEY, {})
    sweeps[name] = Sweep(name, run)


def registered_sweeps(app: Flask) -> list[Sweep]:
    """The sweeps in registration order."""
    return list(app.extensions.get(SWEEPS_KEY, {}).values())
