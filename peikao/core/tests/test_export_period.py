"""An export's period (``date_from``/``date_to``, for the kinds that cover one) is checked once, by the exchange
framework, for every kind and caller: a period that starts after it ends — or, with no end given, after the
export's day — is refused with a clear error and no file."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from peikao.core.errors import DomainError
from peikao.core.exchange.runner import run_export

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("date_from", "date_to", "as_of"),
    [(DAY, DAY - dt.timedelta(days=1), None), (DAY + dt.timedelta(days=1), None, DAY)],
    ids=["ends before it starts", "starts after the export's day"],
)
def test_a_reversed_period_is_refused_before_anything_is_written(date_from, date_to, as_of):
    target = io.BytesIO()
    with pytest.raises(DomainError) as refused:
        run_export(
            kind_name="persons", target=target, filename="p.csv", as_of=as_of, date_from=date_from, date_to=date_to
        )
    assert refused.value.code == "bad_period" and target.getvalue() == b""


def test_a_period_of_one_day_is_exported():
    target = io.BytesIO()
    run_export(kind_name="persons", target=target, filename="p.csv", as_of=DAY, date_from=DAY)
    assert target.getvalue().decode("utf-8-sig").startswith("id_number,")


def test_the_export_form_says_why_a_reversed_period_is_refused(client, world):
    client.force_login(world.users["ministry_admin"])
    response = client.get(
        "/exports/",
        {"kind": "persons", "format": "csv", "headers": "zh", "date_from": "2025-06-30", "date_to": "2025-01-01"},
    )
    assert response.status_code == 302 and not response.get("Content-Disposition")
    with translation.override("zh-hans"):
        text = translation.gettext("The period starts after it ends.")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [text]


def test_the_api_exports_the_period_asked_and_refuses_a_reversed_one(client):
    """``/api/exports/injury_analysis?from=…&to=…`` covers that period, as the export page and the command do."""
    import csv

    from peikao.core.models import Region
    from peikao.core.services import api_token_create
    from peikao.oversight.tests.test_injuries_analysis import _city
    from peikao.testing.factories import UserFactory
    from peikao.testing.http import read_download

    _city()  # four cases of item 1.2 and two of 4.1 on 2025-05-10, one of 4.1 in 2023
    inspector = UserFactory(role="inspector", region=Region.objects.get(code="350100"))
    _token, raw = api_token_create(user=inspector, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def cases(**period) -> dict[str, str]:
        response = client.get("/api/exports/injury_analysis", {"format": "csv", "region": "350100", **period}, **auth)
        assert response.status_code == 200
        rows = csv.DictReader(io.StringIO(read_download(response).decode("utf-8-sig")))
        return {row["group"]: row["cases"] for row in rows if row["dimension"] == "operation_item"}

    assert cases(**{"from": "2025-01-01", "to": "2025-12-31"})["4.1"] == "2"
    assert cases(**{"from": "2023-01-01", "to": "2025-12-31"})["4.1"] == "3"
    assert set(cases(**{"from": "2025-06-01", "to": "2025-12-31"}).values()) == {"0"}
    refused = client.get("/api/exports/injury_analysis", {"from": "2025-12-31", "to": "2025-01-01"}, **auth)
    assert refused.status_code == 400 and refused.json()["code"] == "bad_period"
