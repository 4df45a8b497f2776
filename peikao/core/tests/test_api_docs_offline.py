"""/api/docs works without the internet: the page, its settings and its script name no other host, and every file it
loads is one of this site's static files (Swagger UI as django-ninja ships it), served by the site itself."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders


def test_the_api_docs_page_names_no_other_host(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    references = re.findall(r'(?:src|href|action|data-[a-z-]+)="([^"]*)"', page)
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', page, flags=re.S).group(1))
    references.append(settings["url"])
    assert settings["url"] == "/api/openapi.json"
    assert "validatorUrl" in settings and settings["validatorUrl"] is None  # no badge fetched from swagger.io
    for reference in references:
        parts = urlsplit(reference)
        assert not parts.scheme and not parts.netloc, f"{reference} is on another host"
    assert "://" not in page and "//cdn" not in page
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', page)
    styles = re.findall(r'<link[^>]* href="([^"]+\.css)"', page)
    assert scripts and styles
    for source in scripts + styles:
        assert source.startswith("/static/"), source
        found = finders.find(source.removeprefix("/static/"))
        assert found, f"{source} is not among this site's static files"
    init = finders.find("ninja/swagger-ui-init.js")
    with open(init, encoding="utf-8") as handle:
        assert "://" not in handle.read()  # the script that starts Swagger UI loads nothing from elsewhere
