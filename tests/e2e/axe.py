"""axe-core in every browser journey: each page a journey visits is audited, and a serious or
critical violation fails the journey. axe-core is vendored into tests/e2e/vendor (see
scripts/vendor.sh); it is evaluated through the DevTools protocol, which the pages' CSP does not
govern, so nothing is added to the app."""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")

# The vendored Swagger UI that draws /schema is a third party's markup, with its own colour
# contrast and an unlabelled server select that we cannot fix here; our page around it is audited.
EXCLUDED = ["#swagger-ui"]

RUN = """async () => {
  const result = await axe.run({exclude: %s}, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}""" % [[selector] for selector in EXCLUDED]


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """The serious and critical axe-core violations on the page as it is now."""
    if getattr(page.context, "scripts_off", False):
        return []
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    return [v for v in page.evaluate(RUN) if v["impact"] in FAILING]


def audit(page, where: str = "") -> None:
    found = violations(page)
    assert not found, f"axe-core: serious or critical violations on {where or page.url}: {found}"
