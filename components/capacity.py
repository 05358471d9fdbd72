"""Builders for capacity screens: figure lines with staleness (the hospital's own cards and the
citizen's search results), the ids of the bed editor cards (built in components/capacity_editor.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import dash_bootstrap_components as dbc
from dash import html

from components.format import ago, count, local_time
from components.i18n import _


class ID:
    """Ids of a bed type's editor card; pass `ALL` or `MATCH` for the code (and delta) to listen
    to every card or to the one pressed."""

    @staticmethod
    def card(code: str) -> str:
        return f"bed-card-{code}"

    @staticmethod
    def now(code) -> dict:
        """The figures as stored ("4 free of 10 · updated …")."""
        return {"type": "bed-now", "code": code}

    @staticmethod
    def total(code) -> dict:
        return {"type": "bed-total", "code": code}

    @staticmethod
    def available(code) -> dict:
        return {"type": "bed-available", "code": code}

    @staticmethod
    def save(code) -> dict:
        return {"type": "bed-save", "code": code}

    @staticmethod
    def step(code, delta) -> dict:
        """−1 (a patient in) or +1 (a bed freed)."""
        return {"type": "bed-step", "code": code, "delta": delta}

    @staticmethod
    def message(code) -> dict:
        return {"type": "bed-message", "code": code}

    @staticmethod
    def version(code) -> dict:
        """The version of the figures this editor last filled in: a save is based on it."""
        return {"type": "bed-version", "code": code}


STALE_STYLE = "text-muted stale"


def figure_line(figure, now: datetime, stale_after: timedelta) -> html.Span:
    """"4 free of 10 · updated 12 min ago", greyed and flagged once older than stale_after."""
    if figure.updated_at is None:
        return html.Span(_("No figures yet"), className=STALE_STYLE)
    stale = now - figure.updated_at > stale_after
    return html.Span(
        [html.Strong(count(figure.available), className="fs-4"),
         " " + _("free of %(total)s · updated %(ago)s", total=count(figure.total), ago=ago(figure.updated_at, now))]
        + ([" ", dbc.Badge(_("STALE"), color="secondary", className="ms-1")] if stale else []),
        className=STALE_STYLE if stale else "",
        title=_("Last updated %(time)s", time=local_time(figure.updated_at, with_date=True)),
    )
