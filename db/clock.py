"""Time comes into every domain operation as `now`, so tests control the clock."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
