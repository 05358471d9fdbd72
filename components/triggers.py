"""What set a callback off, in plain terms."""

from __future__ import annotations

from dash import ctx


def pressed() -> bool:
    """True when a person really clicked: Dash also fires a button's callback when the button is
    (re)created with `n_clicks` None or 0, e.g. when a refresh re-renders a list of cards."""
    return any(trigger["value"] for trigger in ctx.triggered)
