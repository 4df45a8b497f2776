"""The injuries of the demo province (issue 18): 福州's injury file goes through the real import and linkage, so a new
user finds exact and automatic links (each planted typing error with its weight), a review queue with two cases,
the unlinkable counted, and an analysis with ranked groups on the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from peikao.core.models import ImportRun, Region, User
from peikao.oversight.injuries import linkage
from peikao.oversight.injuries.analysis import default_period, injury_analysis
from peikao.oversight.injuries.models import InjuryCase

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_linked_grey_zone_and_unlinked_injuries_and_a_ranked_analysis(client):
    call_command("demo", "--scale", "0.2", "--today", "2026-11-27", stdout=None)
    cases = InjuryCase.objects.select_related("person", "organization")
    assert ImportRun.objects.filter(kind="injuries", status="imported").count() == 1  # the real import path
    assert all(case.organization.region_id.startswith("3501") for case in cases)  # the demo city, 福州
    by_status = {status: [c for c in cases if c.link_status == status] for status in ("exact", "automatic", "review")}
    assert len(by_status["exact"]) >= 20
    # Each kind of typing error planted is linked automatically, with its weight and the person's right number.
    automatic = by_status["automatic"]
    assert sorted(linkage.id_level(c.id_number, c.person.id_number) for c in automatic) == [
        "check_digit",
        "one_digit",
        "transposition",
    ]
    assert all(c.match_weight is not None and c.match_weight >= 14 for c in automatic)
    # The grey zone: the right person with two wrong digits (same name), and a stranger one digit away (no name).
    review = sorted(by_status["review"], key=lambda c: c.match_weight)
    assert len(review) == 2
    same, stranger = review
    assert same.name == same.person.name and linkage.id_level(same.id_number, same.person.id_number) == "other"
    assert stranger.name == "" and linkage.id_level(stranger.id_number, stranger.person.id_number) == "one_digit"
    assert not stranger.person.assignments.filter(organization=stranger.organization).exists()
    # Matching nobody: counted, not guessed.
    assert cases.filter(link_status="unlinked", person__isnull=True).count() == 2

    date_from, date_to = default_period(dt.date(2026, 11, 27))
    result = injury_analysis(user=None, region=Region.objects.get(code="350100"), date_from=date_from, date_to=date_to)
    assert result.cases == cases.filter(link_status__in=["exact", "automatic"]).count()
    ranked = [row for row in result.rows() if row.ranked]
    assert {row.dimension for row in ranked} >= {"enterprise", "age_band"}
    assert all(row.cases >= result.min_cases and row.ci_low < row.relative_risk < row.ci_high for row in ranked)
    assert result.training_status["valid"] > 0 and result.training_status["none"] > 0

    client.force_login(User.objects.get(username="fz-inspector"))
    page = client.get("/oversight/injuries/?region=350100").content.decode()
    assert 'data-status="review"' in page and "/oversight/injuries/review/?region=350100" in page
    queue = client.get("/oversight/injuries/review/?region=350100").content.decode()
    assert f'data-case="{same.case_no}"' in queue and f'data-case="{stranger.case_no}"' in queue
