"""The Content-Security-Policy (issue 13, item 8): every page carries it, on the platform and on the public service;
no template needs what it forbids (inline script, event-handler attributes, javascript: URLs, <style> elements); the
API docs serve Swagger UI from this site's static files, not from a CDN. peikao/web/tests/test_browser_csp.py loads
the pages in Chromium and counts violations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def test_every_page_carries_the_policy(client, world):
    anonymous = {url: client.get(url) for url in ("/login/", "/exam/login/", "/verify/", "/api/docs")}
    client.force_login(world.users["province_admin"])
    signed_in = {url: client.get(url) for url in ("/", "/registry/persons/", "/accounts/", "/accounts/lockouts/")}
    for url, response in {**anonymous, **signed_in}.items():
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], url  # no inline script, no eval, no other site
        assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"], url
        assert policy["default-src"] == ["'self'"] and policy["form-action"] == ["'self'"], url


@override_settings(ROOT_URLCONF="peikao.public_urls")
def test_the_public_service_carries_it_too():
    from peikao import settings_public

    assert "csp.middleware.CSPMiddleware" in settings_public.MIDDLEWARE
    assert "axes.middleware.AxesMiddleware" not in settings_public.MIDDLEWARE  # no logins there
    with override_settings(MIDDLEWARE=settings_public.MIDDLEWARE):
        response = Client().get("/verify/")
    assert response.status_code == 200 and _policy(response)["script-src"] == ["'self'"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)
TEMPLATE_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)


def test_no_template_needs_what_the_policy_forbids():
    offending = []
    for template in sorted(ROOT.glob("*/templates/**/*.html")):
        # What the browser receives: the template language's own tags ({% blocktranslate online=… %}) are not HTML.
        text = TEMPLATE_TAG.sub(" ", template.read_text(encoding="utf-8"))
        for what, pattern in (
            ("inline script", INLINE_SCRIPT),
            ("event-handler attribute", HANDLER_ATTRIBUTE),
            ("javascript: URL", re.compile(r"javascript:", re.I)),
            ("<style> element", re.compile(r"<style[\s>]", re.I)),
        ):
            offending += [f"{template.relative_to(ROOT)}: {what}" for _ in pattern.finditer(text)]
    assert not offending, "\n".join(offending)


def test_the_api_docs_serve_swagger_ui_from_this_site(client):
    page = client.get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "cdn.jsdelivr.net" not in page and "<script>" not in page
    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source  # served by this site, shipped with django-ninja
