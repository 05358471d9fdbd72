"""One result per figure, the printed table and bench/results.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


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


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def table(results: list[Result]) -> str:
    rows = [("name", "value", "unit", "target", "ok")]
    for r in results:
        rows.append((r.name, _fmt(r.value), r.unit, r.target,
                     "report" if r.ok is None else ("yes" if r.ok else "NO")))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def write(results: list[Result], path: Path = RESULTS_PATH) -> None:
    path.write_text(json.dumps([r.as_dict() for r in results], indent=2, default=str) + "\n")
