"""The demo city comes alive: dispatched demo units drive, demo hospitals' figures stay fresh.

Registered in jobs/__main__.py only when demo data is on (HEALTHFIRST_DEMO_DATA=1); never in a
real deployment. Safe to run twice: a position not newer than the unit's latest is ignored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from db import demo_motion

INTERVAL_SECONDS = 5
FRESHEN_EVERY_SECONDS = 300


def drive_units(session: Session, *, now: datetime, kmh: float) -> str | None:
    moved = demo_motion.drive(session, now=now, kmh=kmh)
    return f"moved {moved} demo units" if moved else None


def freshen(session: Session, *, now: datetime) -> str | None:
    touched = demo_motion.freshen_demo_figures(session, now=now)
    return f"marked {touched} demo figures fresh" if touched else None
