"""Running axe-core (vendored in tests/e2e/axe/, pinned by version and hash) on the page a browser
shows, and turning what it finds into a message a person can act on.

`audit(browser)` waits until the page has settled (Dash has no callback in flight), injects
axe.min.js once per document and returns the violations of impact "critical" or "serious";
`describe(violations)` lists them one line per element: rule id, impact, CSS target, what is
wrong and the rule's help page.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE_FILE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
SHOWN = 12  # elements listed per rule in a failure message
FAILING_IMPACTS = ("critical", "serious")
# WCAG 2.0/2.1/2.2 A and AA, and axe's best practices (landmarks, one <main>, heading order …).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_source: str | None = None


def axe_source() -> str:
    """axe.min.js, checked against the pinned hash (a changed file fails loudly, not silently)."""
    global _source
    if _source is None:
        data = AXE_FILE.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        assert digest == AXE_SHA256, f"{AXE_FILE} is not axe-core {AXE_VERSION} (sha256 {digest})"
        _source = data.decode("utf-8")
    return _source


_SETTLED = """
const store = window.store;
if (document.readyState !== 'complete') return false;
if (!store) return true;  // a plain Flask page
const state = store.getState();
const pending = state.pendingCallbacks || (state.callbacks && [].concat(
  state.callbacks.requested || [], state.callbacks.prioritized || [], state.callbacks.blocked || [],
  state.callbacks.executing || [], state.callbacks.watched || [], state.callbacks.executed || []));
return !state.isLoading && (!pending || pending.length === 0)
  && !document.querySelector('._dash-loading, [data-dash-is-loading="true"]');
"""


def settle(browser, timeout: float = 15) -> None:
    """Wait until the page is loaded and no Dash callback is in flight, twice in a row."""
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline:
        calm = calm + 1 if browser.driver.execute_script(_SETTLED) else 0
        if calm >= 3:
            return
        time.sleep(0.2)
    raise AssertionError(f"{browser.driver.current_url} did not settle within {timeout} s")


_RUN = """
const done = arguments[arguments.length - 1];
window.axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(results => done(results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                summary: (n.failureSummary || '').replace(/\\s+/g, ' ').trim()}))}))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), helpUrl: '',
                         nodes: []}]));
"""


def audit(browser, *, tags: list[str] | None = None) -> list[dict]:
    """The page's critical and serious violations (after it settled)."""
    settle(browser)
    driver = browser.driver
    if not driver.execute_script("return !!(window.axe && window.axe.version)"):
        driver.execute_script(axe_source())
    version = driver.execute_script("return window.axe.version")
    assert version == AXE_VERSION, f"axe-core {version} was loaded, {AXE_VERSION} expected"
    driver.set_script_timeout(60)
    violations = driver.execute_async_script(_RUN, tags or AXE_TAGS)
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict], where: str = "") -> str:
    lines = []
    for violation in violations:
        head = f"{where}[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        lines.append(head)
        for node in violation["nodes"][:SHOWN]:
            lines.append(f"    at {node['target']}: {node['summary'][:300]}")
        if len(violation["nodes"]) > SHOWN:
            lines.append(f"    … and {len(violation['nodes']) - SHOWN} more elements")
    return "\n".join(lines)
