"""Layout at a desktop's and a phone's width (1366 and 390 px) in Chromium, on the demo province: each role's
landing page and the five busiest pages (organisations, persons, classes, certificates, enforcement) and the
enterprise's compliance page. The page body never overflows the phone's width (only a table's own scroll container
may), and no text column of a table is squeezed narrower than about three characters (issue 14, layout).

Screenshots go to a temporary directory (``PEIKAO_SCREENSHOT_DIR``, else the system's temp dir) for a person to
look at.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from peikao.web.tests import test_browser as base
from peikao.web.tests.test_browser_daily_paths import _demo, _login

pytestmark = base.pytestmark
browser_page = base.browser_page  # the Chromium of the other browser tests (the viewport is set per look)
SCREENSHOTS = Path(os.environ.get("PEIKAO_SCREENSHOT_DIR") or tempfile.gettempdir()) / "peikao-layout"
WIDTHS = (1366, 390)

# What a person would see as broken: an element that reaches past the viewport's right edge outside a table's
# scroll container (the page then scrolls sideways on a phone), and a table cell of three characters or more whose
# text gets less than three characters' width (a column squeezed to one or two characters a line).
LAYOUT_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${width}px viewport`);
  }
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest('.table-wrap')) continue;
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      problems.push(`overflow: <${element.tagName.toLowerCase()} class="${element.className}"> ends at ${Math.round(box.right)}px`);
    }
  }
  const measure = document.createElement('canvas').getContext('2d');
  for (const table of document.querySelectorAll('table')) {
    for (const cell of table.querySelectorAll('tbody td')) {
      const text = cell.innerText.trim();
      if (text.length < 3 || cell.colSpan > 1) continue;
      const style = getComputedStyle(cell);
      const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      measure.font = style.font;
      const oneLine = measure.measureText(text.split('\\n')[0]).width;  // a short code needs less than three CJK characters
      if (room < Math.min(3 * parseFloat(style.fontSize), oneLine) - 1) {
        problems.push(`narrow: table#${table.id} column ${cell.cellIndex + 1} is ${Math.round(room)}px for "${text.slice(0, 12)}"`);
      }
    }
  }
  return problems;
}
"""

LANDING = ["fj-admin", "fz-inspector", "gl-inspector", "ti-admin", "ep-admin", "ent-admin", "candidate"]
BUSIEST = ["/registry/organizations/", "/registry/persons/", "/training/classes/", "/certificates/", "/enforcement/"]


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_JS)


def look(page, url: str, name: str) -> list[str]:
    """Open ``url`` at each width, save a screenshot and return what is wrong with the layout."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_load_state()
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        problems += [f"{name} at {width}px: {problem}" for problem in layout_problems(page)]
    return problems


@pytest.mark.django_db(transaction=True)
def test_landing_and_busiest_pages_fit_a_phone_and_a_desktop(live_server, browser_page):
    from peikao.core.models import User

    _demo()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, url = browser_page, live_server.url
    problems = []
    for username in LANDING:
        _login(page, url, username)
        problems += look(page, f"{url}/", f"home-{username}")
        assert page.locator("#work-list article.card, #region-figures article.card").count() > 0, username
        if username == "fj-admin":
            for path in BUSIEST:
                problems += look(page, url + path, "fj-admin" + path.rstrip("/").replace("/", "-"))
        if username == "ent-admin":
            org_code = User.objects.get(username="ent-admin").organization.org_code
            problems += look(page, f"{url}/compliance/enterprises/{org_code}/", "ent-admin-compliance")
    assert not problems, "\n".join(problems)
