"""Issue 19, readings 7 and 9 on the training side: the hours a class requires.

- oil and gas extraction is licensed as a non-coal mine (order No. 20 art. 4), so order No. 3's high-risk hours
  apply (art. 9, 13) — marked unconfirmed where the class shows its basis;
- construction workers owe 20 hours of yearly refresher (安委〔2012〕10号), beside the 32 pre-job hours.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peikao.registry.models import Industry
from peikao.training import services
from peikao.training.rules import requirement
from peikao.training.services import ClassData

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 1)


def need(category, industry_code, training_type):
    return requirement(
        category=category,
        industry=Industry.objects.get(code=industry_code),
        training_type=training_type,
        syllabus_hours=None,
        on=ON,
    )


@pytest.mark.parametrize(
    "category,training_type,hours,basis",
    [
        ("employee", "initial", "72.0", "order_3 art. 13"),
        ("employee", "refresher", "20.0", "order_3 art. 13"),
        ("principal", "initial", "48.0", "order_3 art. 9"),
        ("safety_manager", "refresher", "16.0", "order_3 art. 9"),
    ],
)
def test_order_20_art_4_oil_gas_takes_order_3_high_risk_hours(category, training_type, hours, basis):
    """Order No. 20 art. 4: oil and gas extraction is a non-coal mine, high-risk for order No. 3 art. 9 and 13."""
    got = need(category, "oil_gas", training_type)
    assert (got.hours, got.basis) == (Decimal(hours), basis)


def test_order_3_art_13_general_industry_keeps_the_general_hours():
    """The other side: an industry not high-risk keeps 24 pre-job hours (order No. 3 art. 13)."""
    assert need("employee", "industry_trade", "initial").hours == Decimal("24.0")


def test_policy_2012_10_construction_worker_refresher_is_20_hours_and_advisory():
    """安委〔2012〕10号: 20 hours a year for construction workers (a policy figure: advisory)."""
    got = need("employee", "construction", "refresher")
    assert (got.hours, got.basis, got.rule.advisory) == (Decimal("20.0"), "policy_2012_10", True)
    assert need("employee", "general", "refresher").hours == Decimal("8.0")  # the general figure stays 8


def _enterprise_class(industry_code, code):
    from peikao.core.choices import Role
    from peikao.testing.factories import OrganizationFactory, UserFactory

    industry = Industry.objects.get(code=industry_code)
    enterprise = OrganizationFactory(industry=industry)
    clerk = UserFactory(role=Role.ORG_ADMIN, organization=enterprise)
    data = ClassData(
        class_code=code,
        trainee_category="employee",
        training_type="initial",
        start_date=dt.date(2026, 12, 20),
        end_date=dt.date(2026, 12, 30),
        industry=industry,
    )
    return clerk, services.class_create(actor=clerk, organization=enterprise, data=data)


def test_an_oil_gas_class_shows_its_high_risk_basis_as_unconfirmed(client):
    """The class page marks the high-risk hours of oil and gas 待确认 beside their basis (order No. 20 art. 4)."""
    clerk, oil = _enterprise_class("oil_gas", "OG-1")
    assert oil.required_tenths == 720
    client.force_login(clerk)
    basis = client.get("/training/classes/OG-1/").content.decode().split('id="required-hours"')[1].split("</dd>")[0]
    assert "待确认" in basis


def test_a_confirmed_industry_class_has_no_unconfirmed_mark(client):
    clerk, _chemical = _enterprise_class("hazardous_chemicals", "HC-1")
    client.force_login(clerk)
    basis = client.get("/training/classes/HC-1/").content.decode().split('id="required-hours"')[1].split("</dd>")[0]
    assert "待确认" not in basis
