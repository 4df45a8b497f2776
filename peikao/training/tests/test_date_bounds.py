"""A page with a date of year one answers with its form and the error beside the field, not a 500."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_a_page_with_a_date_of_year_one_answers_with_the_form_not_a_500(client, school):
    client.force_login(school["clerk"])
    response = client.post(
        "/training/classes/new/",
        {"start_date": "0001-01-01", "end_date": "9999-12-31", "trainee_category": "special_operation"},
    )
    assert response.status_code == 200
    assert "1900" in response.content.decode()
