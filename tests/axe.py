"""axe-core, Deque's accessibility checker, run inside a page a Selenium browser has open.

The script is the pinned npm package (tests/npm/package-lock.json), installed by scripts/npm-deps.sh into the
git-ignored .cache/npm; it is injected into the page as it is (nothing is fetched by the page) and its WCAG 2.x
A and AA rules and best practices are run on the whole document.  :func:`violations` returns what it found;
:func:`explain` turns that into a message that names each rule, its impact, its help text and the first nodes
that break it, so a failing test says what to fix and where; :func:`check` fails the test with it.  A browser test
of a new page needs one line: ``axe.check(driver, axe_script, "what page")`` (the ``axe_script`` fixture of
tests/test_accessibility.py skips, or in CI fails, when axe-core is not installed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

#: The installed axe-core script (None-equivalent when scripts/npm-deps.sh has not run: see :func:`script`).
AXE = Path(__file__).resolve().parents[1] / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"

#: The rule sets checked: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices (landmarks,
#: one main, a page-level heading, regions).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

#: Run axe on the document and hand back its violations, reduced to what a message needs (an async script:
#: Selenium passes the callback as the last argument).
RUN = """
var done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(function (r) {
    done(r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
              nodes: v.nodes.map(function (n) { return {target: n.target.join(' '), summary: n.failureSummary}; })};
    }));
  })
  .catch(function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), helpUrl: '', nodes: []}]); });
"""

#: How many offending nodes of a rule a message names.
SHOWN = 3


def script() -> str | None:
    """The axe-core script's text, or None when it is not installed."""
    return AXE.read_text(encoding="utf-8") if AXE.is_file() else None


def violations(driver: Any, source: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page ``driver`` has open (the script injected first when the page lacks it)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(source)
    driver.set_script_timeout(120)
    found: list[dict[str, Any]] = driver.execute_async_script(RUN, TAGS)
    return found


def explain(found: list[dict[str, Any]], where: str) -> str:
    """One line for each violated rule (id, impact, help) and, under it, its first offending nodes."""
    lines = [f"{len(found)} accessibility violation(s) on {where}:"]
    for v in found:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({len(v['nodes'])} nodes; {v['helpUrl']})")
        for node in v["nodes"][:SHOWN]:
            summary = " ".join(str(node.get("summary") or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def check(driver: Any, source: str, where: str) -> None:
    """Fail the test, saying what and where, when axe-core finds any violation on the open page."""
    found = violations(driver, source)
    if found:
        pytest.fail(explain(found, where), pytrace=False)
