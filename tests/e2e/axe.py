"""Accessibility checks for browser tests: run the vendored axe-core on the page a test is on."""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    # Evaluated as a script rather than added as a <script> tag, so a Content-Security-Policy
    # on the page under test cannot block the checker.
    page.evaluate(_axe_source())
    results = page.evaluate(
        "async (options) => await axe.run(document, options)",
        AXE_OPTIONS,
    )
    return results["violations"]


# A control that has just appeared may still be fading its colours in (Bootstrap's buttons
# transition them unless the reader asks for less motion); axe would measure the contrast of a
# colour half way. The check is of the page at rest, so transitions under way are finished
# first, at once and without waiting on timers (a test may have the page's clock stopped).
FINISH_TRANSITIONS = """() => document.getAnimations()
  .filter((animation) => animation instanceof CSSTransition)
  .forEach((animation) => animation.finish())"""


def assert_accessible(page: Page, *, context: str = "") -> None:
    """Fail on every serious or critical axe violation; lesser ones are left to review."""
    page.evaluate(FINISH_TRANSITIONS)
    failing = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    if not failing:
        return
    where = f" ({context})" if context else ""
    lines = [f"{len(failing)} serious/critical accessibility violation(s) on {page.url}{where}:"]
    for violation in failing:
        lines.append(
            f"- {violation['id']} [{violation['impact']}]: {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(_selector_text(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:160]}")
    raise AssertionError("\n".join(lines))


def _selector_text(part: str | list[str]) -> str:
    # Targets inside shadow DOM or iframes come as a list of selectors, outermost first.
    return " >> ".join(part) if isinstance(part, list) else part
