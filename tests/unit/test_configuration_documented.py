"""The README's configuration table is the list of settings, checked against the code.

- Every HEALTHFIRST_* variable named in the code (config.py, serve.py, the job process,
  the benchmark, the scripts: every file but the tests) is a row of the table, and every row
  names a variable the code really reads.
- Where the code gives a literal default (`os.environ.get("HEALTHFIRST_PORT", "8050")`), the
  row's Default cell shows it in backticks.
- The tests' own variables (the HEALTHFIRST_TEST_ ones, `CI`) are described in the Tests section.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
THIS_FILE = Path(__file__).resolve()

SETTING_NAME = re.compile(r"\bHEALTHFIRST_[A-Z0-9_]*[A-Z0-9]\b")
TEST_PREFIX = "HEALTHFIRST_TEST_"
# Folders that hold no code of the product: the tests are checked separately.
SKIPPED_FOLDERS = {"tests", "instance", "node_modules", "__pycache__"}


def _files(top: Path, *, skip: set[str]) -> list[Path]:
    found = []
    for folder, subfolders, names in os.walk(top):  # does not follow symlinks (.venv)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in skip)
        found += [Path(folder) / n for n in sorted(names) if n.endswith((".py", ".sh"))]
    return found


def code_files() -> list[Path]:
    ci = ROOT / ".ci" / "run"
    return _files(ROOT, skip=SKIPPED_FOLDERS) + ([ci] if ci.exists() else [])


def files_of_the_tests() -> list[Path]:
    test_sh = ROOT / "scripts" / "test.sh"
    return [p for p in _files(ROOT / "tests", skip={"__pycache__"}) if p.resolve() != THIS_FILE] + [test_sh]


def names_in(paths: list[Path]) -> dict[str, list[str]]:
    """HEALTHFIRST_* name -> the files that name it."""
    where: dict[str, list[str]] = {}
    for path in paths:
        for name in set(SETTING_NAME.findall(path.read_text(encoding="utf-8"))):
            where.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return where


def reads_variable(name: str, paths: list[Path]) -> bool:
    """Whether the code reads an environment variable that is not a HEALTHFIRST_ one (e.g. PYTHON)."""
    pattern = re.compile(
        rf"""\$\{{?{name}\b|environ(?:\.get)?\(\s*["']{name}["']|environ\[\s*["']{name}["']|getenv\(\s*["']{name}["']"""
    )
    return any(pattern.search(path.read_text(encoding="utf-8")) for path in paths)


def readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def configuration_table() -> dict[str, list[str]]:
    """Variable -> the cells of its row, from the README's Configuration section."""
    rows: dict[str, list[str]] = {}
    for line in readme_section("Configuration").splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]):
            assert name not in rows, f"{name} has two rows in the README's configuration table"
            rows[name] = cells
    return rows


def literal_defaults(paths: list[Path]) -> list[tuple[str, str, str]]:
    """(variable, default as the README writes it, file) for every read with a literal default:
    `os.environ.get("NAME", "x")`, `getenv("NAME", "x")`, `_env_bool("NAME", True)`."""
    found = []
    for path in paths:
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and len(node.args) >= 2):
                continue
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            name, default = node.args[0], node.args[1]
            if (func in {"get", "getenv", "_env_bool"} and isinstance(name, ast.Constant)
                    and isinstance(name.value, str) and SETTING_NAME.fullmatch(name.value)
                    and isinstance(default, ast.Constant) and default.value is not None):
                value = default.value
                shown = ("1" if value else "0") if isinstance(value, bool) else str(value)
                found.append((name.value, shown, str(path.relative_to(ROOT))))
    return found


def test_the_scan_sees_the_settings_files():
    scanned = {str(p.relative_to(ROOT)) for p in code_files()}
    assert {"config.py", "serve.py"} <= scanned
    assert any(name.startswith("bench/") for name in scanned)
    # A smoke test of the scan itself: these are read today.
    names = names_in(code_files())
    assert "HEALTHFIRST_DATABASE_URL" in names and "HEALTHFIRST_WEB_WORKERS" in names


def test_every_variable_the_code_reads_has_a_row():
    table = configuration_table()
    missing = {name: files for name, files in names_in(code_files()).items()
               if not name.startswith(TEST_PREFIX) and name not in table}
    assert not missing, f"variables missing from the README's configuration table (and where they are read): {missing}"


def test_every_row_names_a_variable_the_code_reads():
    code = code_files()
    named = names_in(code)
    stale = [name for name in configuration_table()
             if not (name in named if name.startswith("HEALTHFIRST_") else reads_variable(name, code))]
    assert not stale, f"the README's configuration table lists variables nothing reads: {stale}"


def test_test_variables_are_described_in_the_tests_section_not_the_table():
    table = configuration_table()
    misplaced = [name for name in table if name.startswith(TEST_PREFIX)]
    assert not misplaced, f"test variables belong in the README's Tests section, not the table: {misplaced}"
    tests_text = readme_section("Tests")
    used = names_in(files_of_the_tests())
    undescribed = [name for name in used
                   if name not in table and not re.search(rf"\b{name}\b", tests_text)]
    if reads_variable("CI", files_of_the_tests() + code_files()) and not re.search(r"\bCI\b", tests_text):
        undescribed.append("CI")
    assert not undescribed, f"variables the tests read that the README describes nowhere: {undescribed}"


@pytest.mark.parametrize("name,default,where", [
    pytest.param(*case, id=f"{case[0]}={case[1]}") for case in literal_defaults(code_files())
    if not case[0].startswith(TEST_PREFIX)
])
def test_the_table_shows_the_code_default(name, default, where):
    cells = configuration_table().get(name)
    assert cells is not None, f"{name} (read in {where}) has no row in the README's configuration table"
    assert len(cells) >= 3, f"the row of {name} needs Variable | Default | Meaning cells: {cells}"
    if default == "":  # an empty default reads as "none" (or "empty") in the table
        assert any(word in cells[1] for word in ("none", "empty")), (
            f"{where} defaults {name} to nothing; the README's Default cell says {cells[1]!r}")
        return
    assert f"`{default}`" in cells[1], (
        f"{where} defaults {name} to {default!r}; the README's Default cell says {cells[1]!r}")
