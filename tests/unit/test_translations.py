"""Every citizen-facing string marked for translation has its Hindi translation, and catalogs are
data: a new language is a new folder.

Staff screens (hospital, officer, admin, crew, wall) have their words marked too, so a catalog can
translate them (HEALTHFIRST_STAFF_LANGUAGES), but Hindi is not required for them. A string counts
as a staff word only when every place that marks it is a staff file:
- a page under pages/ that registers itself without `translated=True`;
- the feeds and actions of staff screens in web/ (STAFF_WEB);
- a component that no other file imports, directly or through other components: one that a
  citizen page, the frame (pages/shell.py), web/, auth/ or db/ uses is a citizen file; except
  STAFF_COMPONENTS, which the frame adds for staff only.
Everything else (templates, web, auth, db, the citizen's pages, the frame, shared components) is
citizen-facing and strict."""

import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("auth/**.py", "python"), ("pages/**.py", "python"), ("components/**.py", "python"),
           ("db/**.py", "python"), ("web/**.py", "python"), ("templates/**.html", "jinja2")]
# NP_: a db/ message with a plural form (db/errors.py). The scripts of the plain pages
# (assets/forms/*.js) take their words from the page (JSON blocks, data- attributes), which are
# marked in templates/ and web/: the extraction below covers them.
KEYWORDS = {"_": None, "_l": None, "N_": None, "NP_": (1, 2), "gettext": None, "ngettext": (1, 2),
            "lazy_gettext": None}


# The wall display's feed, the crew phone's position endpoint and the SOS queue's Accept / Decline:
# read by staff screens only.
STAFF_WEB = {"web/display_feed.py", "web/crew.py", "web/queue_answer.py"}
# What the frame adds for hospital admins only (a new SOS noticed on every page).
STAFF_COMPONENTS = {"components/noticing.py"}


def _module_file(module: str) -> str | None:
    path = ROOT / (module.replace(".", "/") + ".py")
    return str(path.relative_to(ROOT)) if path.exists() else None


def _imported_components(path: Path) -> set[str]:
    """The component modules a file imports (`from components.x import …`, `from components import x`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "components":
                found.update(f"components.{alias.name}" for alias in node.names)
            elif node.module.startswith("components."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("components."))
    return {name for name in (_module_file(module) for module in found) if name}


def _is_staff_page(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return "dash.register_page(" in text and "translated=True" not in text


def staff_files() -> set[str]:
    """The files whose marked words are staff words (see the module's docstring)."""
    python = [p for folder in ("pages", "components", "web", "auth", "db") for p in (ROOT / folder).rglob("*.py")]
    staff_pages = {str(p.relative_to(ROOT)) for p in python
                   if p.parts[len(ROOT.parts)] == "pages" and _is_staff_page(p)}
    citizen_roots = {str(p.relative_to(ROOT)) for p in python
                     if p.parts[len(ROOT.parts)] != "components"} - staff_pages - STAFF_WEB
    # Components a citizen file reaches, through components importing components.
    reached, todo = set(), list(citizen_roots)
    while todo:
        for module in _imported_components(ROOT / todo.pop()):
            if module not in reached and module not in STAFF_COMPONENTS:
                reached.add(module)
                todo.append(module)
    components = {str(p.relative_to(ROOT)) for p in (ROOT / "components").rglob("*.py")}
    return staff_pages | STAFF_WEB | (components - reached)


def _marked(*, citizen_only: bool = False) -> dict[str, str]:
    """Marked string → the first place marking it; with `citizen_only`, only the strings that a
    citizen-facing file marks (a string also marked in a citizen file needs its Hindi)."""
    staff = staff_files() if citizen_only else set()
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {}}):
        if filename not in staff:
            found.setdefault(message if isinstance(message, str) else message[0], f"{filename}:{lineno}")
    return found


def _catalog(code: str):
    with (ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def test_every_citizen_facing_string_has_a_hindi_translation():
    catalog = _catalog("hi")
    untranslated = {text: where for text, where in _marked(citizen_only=True).items()
                    if not (catalog.get(text) and all(catalog.get(text).string))}
    assert untranslated == {}, (
        "strings without Hindi (run the pybabel commands in babel.cfg, then translate): "
        + "; ".join(f"{where}: {text!r}" for text, where in untranslated.items()))


def test_translations_keep_the_placeholders():
    for message in _catalog("hi"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            for placeholder in re.findall(r"%\(\w+\)s|\{\w*\}", ids[0]):
                assert placeholder in text, f"{message.id!r}: the Hindi lacks {placeholder}"


def test_staff_and_citizen_files_are_told_apart():
    """The rule above, on files whose side is known: the staff screens' words are exempt, the
    citizen's pages, the frame and the components they share are not."""
    staff = staff_files()
    for path in ("pages/hospital/queue.py", "pages/officer/overview.py", "pages/admin/users.py", "pages/crew.py",
                 "pages/display/wall.py", "components/dispatch.py", "components/capacity_editor.py",
                 "components/admin.py", "components/wall.py", "web/display_feed.py"):
        assert path in staff, path
    for path in ("pages/beds.py", "pages/blood.py", "pages/shell.py", "pages/citizen/sos.py", "web/citizen.py",
                 "templates/citizen/sos.html", "components/cards.py", "components/capacity.py",
                 "components/format.py", "components/navbar.py", "components/location.py", "db/errors.py"):
        assert path not in staff, path


def test_staff_words_are_extracted_for_a_catalog():
    """The staff screens' words are in the extraction a translator works from (babel.cfg)."""
    marked = _marked()
    for text in ("Send ambulance", "Mark en route", "Register unit", "Issue crew link", "Check the chain",
                 "%(count)s answer", "Unanswered SOS", "Widen the search", "Approve"):
        assert text in marked, text
