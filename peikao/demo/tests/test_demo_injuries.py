"""The injuries of the demo province (issue 18): 福州's injury file goes through the real import and linkage, so a new
user finds exact and automatic links (each planted typing error with its weight), a review queue with two cases,
the unlinkable counted, and an analysis with ranked groups on the page."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from peikao.core.models import ImportRun, Region, User
from peikao.demo.registry import EXAM_POINTS, TRAINING_INSTITUTIONS
from peikao.oversight.injuries import linkage
from peikao.oversight.injuries.analysis import default_period, injury_analysis
from peikao.oversight.injuries.choices import Dimension, TrainingStatus
from peikao.oversight.injuries.models import InjuryCase
from peikao.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_linked_grey_zone_and_unlinked_injuries_and_a_ranked_analysis(client):
    call_command("demo", "--scale", "0.2", "--today", "2026-11-27", stdout=None)
    cases = InjuryCase.objects.select_related("person", "organization")
    assert ImportRun.objects.filter(kind="injuries", status="imported").count() == 2  # the real import path
    # The demo city's file, 福州's, with its typing errors; the other cities' files, typed right.
    fuzhou = cases.filter(organization__region__code__startswith="3501")
    assert fuzhou.exists() and all(case.case_no.startswith("FZGS-") for case in fuzhou)
    elsewhere = cases.exclude(organization__region__code__startswith="3501")
    assert elsewhere.exists() and all(case.link_status == "exact" for case in elsewhere)
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
    assert result.cases == fuzhou.filter(link_status__in=["exact", "automatic"]).count()
    ranked = [row for row in result.rows() if row.ranked]
    assert {row.dimension for row in ranked} >= {"enterprise", "age_band"}
    assert all(row.cases >= result.min_cases and row.ci_low < row.relative_risk < row.ci_high for row in ranked)
    assert result.training_status["valid"] > 0 and result.training_status["none"] > 0

    client.force_login(User.objects.get(username="fz-inspector"))
    page = client.get("/oversight/injuries/?region=350100").content.decode()
    assert 'data-status="review"' in page and "/oversight/injuries/review/?region=350100" in page
    queue = client.get("/oversight/injuries/review/?region=350100").content.decode()
    assert f'data-case="{same.case_no}"' in queue and f'data-case="{stranger.case_no}"' in queue


def test_the_analyst_finds_a_ranked_group_standing_out_in_every_dimension(client):
    """The demo as ``make run`` loads it (the default scale): its analyst opening the injury analysis, for the province
    (the page's default) and for 福州 (whose injury file carries the stories), finds in every dimension a group with
    enough cases to be ranked whose relative risk stands out — 仓山's institution and 福清's exam point leading theirs —
    with the injured workers' training at the time varied."""
    call_command("demo", "--today", "2026-11-27", stdout=io.StringIO())
    analyst = User.objects.get(username="fj-analyst")
    date_from, date_to = default_period(dt.date(2026, 11, 27))
    cangshan = Organization.objects.get(name=TRAINING_INSTITUTIONS[1][1])
    fuqing = Organization.objects.get(name=EXAM_POINTS[2][1])
    fuzhou = Region.objects.get(code="350100")
    for region in (analyst.region, fuzhou):
        result = injury_analysis(user=analyst, region=region, date_from=date_from, date_to=date_to)
        assert all(result.training_status[status] > 0 for status in TrainingStatus.values)
        leading = {}
        for dimension in Dimension.values:
            ranked = [row for row in result.dimensions[dimension] if row.ranked]
            assert ranked, f"{region.name}: no group ranked by {dimension}"
            leading[dimension] = ranked[0]
            assert ranked[0].cases >= result.min_cases and ranked[0].relative_risk >= 1.5, (region.name, ranked[0])
        assert leading[Dimension.TRAINING_INSTITUTION].organization_id == cangshan.pk
        assert leading[Dimension.EXAM_POINT].organization_id == fuqing.pk
        if region == fuzhou:  # the stories stand out beyond chance
            for dimension in (Dimension.ENTERPRISE, Dimension.TRAINING_INSTITUTION, Dimension.EXAM_POINT,
                              Dimension.DISPATCH_COMPANY):  # fmt: skip
                assert leading[dimension].ci_low > 1, leading[dimension]

    client.force_login(analyst)
    for query in ("", "region=350100&"):
        page = client.get(f"/oversight/injuries/?{query}from={date_from}&to={date_to}").content.decode()
        for dimension in Dimension.values:
            table = re.search(rf'id="dimension-{dimension}">(.*?)</table>', page, re.S)
            assert table and re.search(r'<tr data-group="[^"]+">', table.group(1)), f"nothing ranked by {dimension}"
