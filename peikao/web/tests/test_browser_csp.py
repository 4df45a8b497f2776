"""The Content-Security-Policy in a real browser (issue 13, item 8): Chromium loads the main pages of a regulator,
the public verification, the API docs (Swagger UI from this site's static files) and a candidate's exam, with htmx
interactions and the page scripts, and reports no violation at all — neither a ``securitypolicyviolation`` event
nor a console error about the policy."""

from __future__ import annotations

import pytest

from peikao.web.tests.test_browser import ARTIFACTS, browser_page, pytestmark  # noqa: F401 (the fixture, the marks)

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Violations:
    """Every violation the pages of one browser context report, by event and on the console."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type in {"error", "warning"} and "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def visit(self, url: str, ready: str = "body") -> None:
        response = self.page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        self.page.wait_for_selector(ready)
        self.collect()

    def collect(self) -> None:
        self.found += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__csp || []")]
        self.page.evaluate("window.__csp = []")


def _log_in(page, base: str, user) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-for-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_the_pages_and_htmx_run_under_the_policy_without_a_violation(live_server, browser_page):  # noqa: F811
    from peikao.testing.worlds import build_world

    world = build_world()
    admin = world.users["province_admin"]
    admin.set_password("pw-for-browser")
    admin.save()
    person = world.persons["p_a"]
    page, base = browser_page, live_server.url
    violations = Violations(page)

    violations.visit(f"{base}/login/", "input[name=username]")
    _log_in(page, base, admin)
    violations.collect()
    for path in (
        "/",
        "/registry/organizations/",
        "/registry/persons/",
        "/training/classes/",
        "/exams/sittings/",
        "/certificates/",
        "/certificates/leads/",
        "/enforcement/",
        "/compliance/",
        "/changelog/",
        "/accounts/",
        "/accounts/lockouts/",
        "/profile/",
    ):
        violations.visit(f"{base}{path}", "main")
    # htmx: reveal a full ID number (hx-post, swapped into the page).
    violations.visit(f"{base}/registry/persons/{person.pk}/", "#id-number button")
    page.click("#id-number button")
    page.wait_for_selector("#full-id-number")
    violations.collect()
    # The dropdown menu (a details element) and a page script's "back" link on an error page.
    page.click("header.site details.dropdown summary")
    violations.collect()
    # The API docs: Swagger UI renders the API from the local bundle.
    violations.visit(f"{base}/api/docs", "#swagger-ui .information-container")
    page.wait_for_selector("#swagger-ui .opblock")
    page.screenshot(path=str(ARTIFACTS / "30-api-docs-under-csp.png"))
    violations.collect()
    # The public side.
    violations.visit(f"{base}/verify/", "#verify-form")
    page.fill("input[name=cert_no]", "T11010519491231002X")
    page.fill("input[name=name]", "张三")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verify-answer")
    violations.collect()
    assert violations.found == []
    # The recorder hears a violation when there is one: an inline script, as the exam page had, is refused.
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.ran = 1";
                             document.body.appendChild(s); }""")
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.ran") is None
    violations.collect()
    assert len(violations.found) == 2 and all("script-src" in found for found in violations.found)  # event, console


@pytest.mark.django_db(transaction=True)
def test_the_exam_page_scripts_and_autosave_run_under_the_policy(live_server, browser_page):  # noqa: F811

    from peikao.exams.models import Result
    from peikao.testing.answers import correct_letters
    from peikao.testing.exams import make_exam_world, open_sitting_now

    world = make_exam_world()
    sitting, registration = open_sitting_now(world, "CSP-1")
    page, base = browser_page, live_server.url
    violations = Violations(page)
    violations.visit(f"{base}/exam/login/", "#exam-login")
    page.fill("input[name=id_number]", registration.person.id_number)
    page.fill("input[name=admission_code]", registration.admission_code)
    page.click("#exam-login button")
    page.wait_for_selector("#timer")
    page.wait_for_function("document.getElementById('timer').textContent !== '--:--'")  # the countdown script runs
    registration.refresh_from_db()
    letter = correct_letters(registration, 0)[0]
    page.check(f"#q0 input[value='{letter}']")  # htmx posts the answer on change
    page.wait_for_selector("#saved-0 [data-saved='0']")
    violations.collect()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("#submit-exam")  # the confirmation comes from web/peikao.js (form[data-confirm])
    page.wait_for_selector("#exam-result")
    violations.collect()
    assert asked and "交卷" in asked[0]
    assert Result.objects.filter(registration=registration).exists()
    assert violations.found == []
