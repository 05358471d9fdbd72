"""Every string marked for translation has its Hindi translation, and catalogs are data: a new
language is a new folder."""

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


def _marked() -> dict[str, str]:
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {}}):
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def _catalog(code: str):
    with (ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def test_every_marked_string_has_a_hindi_translation():
    catalog = _catalog("hi")
    untranslated = {text: where for text, where in _marked().items()
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
