"""The conventions that keep the code findable (issue 17), checked from the source.

- A component id is written once, in a `class ID` (a page's at the top of the page module, a
  component's in its module), never as a string where it is used.
- Every id string is unique across the app: two pages sharing one (as `beds-refresh` once did)
  would let one page's callback fire on the other.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UI_FOLDERS = ("pages", "components")
DEPENDENCIES = {"Input", "Output", "State"}


def ui_files() -> list[Path]:
    return sorted(p for folder in UI_FOLDERS for p in (ROOT / folder).rglob("*.py"))


def _is_text(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr)


def _spelled_id(node: ast.AST) -> bool:
    """A string, an f-string, or a pattern dict whose "type" is spelled out."""
    if _is_text(node):
        return True
    if isinstance(node, ast.Dict):
        return any(isinstance(k, ast.Constant) and k.value == "type" and _is_text(v)
                   for k, v in zip(node.keys, node.values, strict=True))
    return False


class _IdUses(ast.NodeVisitor):
    """Where an id is spelled out instead of named: `id="x"`, `Output("x", ...)`, `tile_id="x"`."""

    def __init__(self, path: Path):
        self.path = path
        self.found: list[str] = []
        self._in_id_class = 0

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._in_id_class += node.name == "ID"
        self.generic_visit(node)
        self._in_id_class -= node.name == "ID"

    def visit_Call(self, node: ast.Call) -> None:
        if not self._in_id_class:
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in DEPENDENCIES and node.args and _spelled_id(node.args[0]):
                self.found.append(f"{self.path.relative_to(ROOT)}:{node.lineno} {name}({ast.unparse(node.args[0])}, …)")
            for keyword in node.keywords:
                if keyword.arg and (keyword.arg == "id" or keyword.arg.endswith("_id")) and _spelled_id(keyword.value):
                    self.found.append(f"{self.path.relative_to(ROOT)}:{node.lineno} "
                                      f"{keyword.arg}={ast.unparse(keyword.value)}")
        self.generic_visit(node)


def test_no_component_id_is_spelled_where_it_is_used():
    found = []
    for path in ui_files():
        visitor = _IdUses(path)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        found += visitor.found
    assert not found, "ids belong in a `class ID`; spelled out here:\n" + "\n".join(found)


def _declared_ids(path: Path):
    """(id string or pattern type, where) for every id a `class ID` in `path` declares."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.ClassDef) and node.name == "ID"):
            continue
        for item in ast.walk(node):
            where = f"{path.relative_to(ROOT)}:{getattr(item, 'lineno', node.lineno)}"
            if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant) \
                    and isinstance(item.value.value, str):
                yield item.value.value, where
            elif isinstance(item, ast.Dict):
                for key, value in zip(item.keys, item.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "type" and isinstance(value, ast.Constant):
                        yield f"{{type: {value.value}}}", where


def test_every_declared_id_is_unique_across_the_app():
    places = defaultdict(set)
    for path in ui_files():
        for value, where in _declared_ids(path):
            places[value].add(where.rsplit(":", 1)[0])
    shared = {value: sorted(files) for value, files in places.items() if len(files) > 1}
    assert not shared, f"ids declared in more than one module: {shared}"


def test_the_pages_independence_contract_lists_every_page_module():
    """import-linter's "Pages never import each other" names its modules one by one (wildcards
    would merge a section's package with its pages): a page added without its line would be free to
    import another page, so the list must cover every module under pages/."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    listed = set(next(c for c in contracts if c["name"] == "Pages never import each other")["modules"])
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "pages").rglob("*.py")
               if p.name != "__init__.py"}
    assert modules - listed == set(), "add these to the contract in pyproject.toml"


def test_no_test_module_imports_another_test_module():
    """Shared test helpers live in tests/builders.py (data), tests/e2e/browser.py (the browser) and
    tests/security/callbacks.py (callback bodies), and fixtures in conftest.py: importing a helper
    from another test module runs that module's import side effects and hides where helpers are."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            if any(name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_") for name in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
