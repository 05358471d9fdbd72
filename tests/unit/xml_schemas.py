"""The OASIS schemas the exports and the CAP documents must be valid against, read with lxml.

They live outside the repository, in ../shared/reference/schemas next to it. Without them the
tests that need them are skipped on a developer's machine and fail in CI (CI=true), never pass.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from lxml import etree

from tests.builders import ROOT

SCHEMAS = ROOT.parent / "shared" / "reference" / "schemas"
HAVE_XSD = SCHEMAS / "edxl-have-1.0" / "edxl" / "1.0" / "edxl-have.xsd"  # imports xPIL, xNL, xAL, GML, xlink
CAP_XSD = SCHEMAS / "CAP-v1.2.xsd"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@functools.cache
def _load(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


def schema(path: Path) -> etree.XMLSchema:
    if not path.is_file():
        message = f"XML schema not found: {path} (the OASIS schema set belongs in {SCHEMAS})"
        if IN_CI:
            pytest.fail(message + " (in CI this is a failure, not a skip)", pytrace=False)
        pytest.skip(message)
    return _load(path)


def schema_errors(document: bytes | etree._Element, path: Path) -> list[str]:
    """Every validation error as "line N: message"; empty when the document is valid."""
    tree = etree.fromstring(document) if isinstance(document, bytes) else document
    checker = schema(path)
    if checker.validate(tree):
        return []
    return [f"line {error.line}: {error.message}" for error in checker.error_log]


def assert_valid(document: bytes | etree._Element, path: Path) -> None:
    errors = schema_errors(document, path)
    assert not errors, f"not valid against {path.name}:\n" + "\n".join(errors)
