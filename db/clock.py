"""Time comes into every domain operation as `now`, so tests control the clock."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
