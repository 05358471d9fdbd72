"""One result per figure, the printed table, bench/results.json, and the percentiles the figures
report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
COLUMNS = ["name", "value", "unit", "target", "ok"]
VERDICTS = {True: "yes", False: "NO", None: "report"}
CURVE_COLUMNS = ["displays", "req_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "ok"]


@dataclass
class Result:
    name: str
    value: Any
    unit: str
    target: str
    ok: bool | None  # None: reported, no target
    detail: Any = None

    def as_dict(self) -> dict:
        data = {"name": self.name, "value": self.value, "unit": self.unit, "target": self.target, "ok": self.ok}
        if self.detail is not None:
            data["detail"] = self.detail
        return data


def failed(name: str, unit: str, target: str, error: BaseException) -> Result:
    return Result(name, None, unit, target, False, {"error": f"{type(error).__name__}: {error}"[:2000]})


def percentiles(values: list[float], *qs: float, scale: float = 1.0, digits: int = 3) -> list[float | None]:
    """The qs-th percentiles (0..100; 100 is the largest value) of values × scale, rounded to digits,
    interpolated linearly between the closest ranks; None for each when there are no values."""
    series = pd.Series(values, dtype=float) * scale
    if series.empty:
        return [None] * len(qs)
    return [round(float(value), digits) for value in series.quantile([q / 100 for q in qs])]


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def frame(results: list[Result]) -> pd.DataFrame:
    """One row per figure, each cell as the table prints it."""
    rows = [(r.name, _fmt(r.value), r.unit, r.target, VERDICTS[r.ok]) for r in results]
    return pd.DataFrame(rows, columns=COLUMNS, dtype=str)


def _markdown(cells: pd.DataFrame) -> str:
    """A Markdown table of string cells, its columns aligned for the terminal."""
    cells = pd.concat([pd.DataFrame([list(cells.columns)], columns=cells.columns), cells], ignore_index=True)
    widths = cells.apply(lambda column: column.str.len().max())
    padded = cells.apply(lambda column: column.str.ljust(widths[column.name]))
    lines = ["| " + " | ".join(row) + " |" for row in padded.itertuples(index=False)]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def table(results: list[Result]) -> str:
    """The figures as a Markdown table (bench/README.md takes it as it is)."""
    return _markdown(frame(results))


def curves(results: list[Result]) -> str:
    """A Markdown table per figure measured in load steps (its detail's "curve"), "" when none."""
    parts = []
    for result in results:
        if isinstance(result.detail, dict) and result.detail.get("curve"):
            steps = pd.DataFrame(result.detail["curve"], columns=CURVE_COLUMNS, dtype=object)
            steps["ok"] = steps["ok"].map(VERDICTS)
            parts.append(f"{result.name} by step:\n{_markdown(steps.map(_fmt))}")
    return "\n\n".join(parts)


def write(results: list[Result], path: Path = RESULTS_PATH) -> None:
    path.write_text(json.dumps([r.as_dict() for r in results], indent=2, default=str) + "\n")
