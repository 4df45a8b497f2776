"""Reports API: the notice's figures of a region and period, and the upload of a provincial return to the
ministry's platform.

(No `from __future__ import annotations` here: django-ninja reads the annotations at import time.)
"""

import datetime as dt
import json
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from peikao.reports import services
from peikao.reports.selectors import Period, notice_figures, notice_region, returns_figures

router = Router(tags=["reports"])


class NoticeQuery(Schema):
    date_from: dt.date = Field(..., alias="from")
    date_to: dt.date = Field(..., alias="to")
    region: str | None = None


@router.get("/reports/notice", response=dict[str, Any], summary="The campaign notice's figures (JSON)")
def notice(request, query: Query[NoticeQuery]):
    """The figures of the region (default: the user's jurisdiction) over the period, with ``by_subregion``."""
    region = notice_region(user=request.user, code=query.region)
    return notice_figures(user=request.user, region=region, period=Period(query.date_from, query.date_to))


class ReturnIn(Schema):
    token: str = Field(..., alias="return", max_length=5 * 1024 * 1024)


class ReturnOut(Schema):
    region: str
    period_from: dt.date
    period_to: dt.date
    kid: str
    current: bool


@router.post("/reports/returns", response={201: ReturnOut}, summary="Upload a provincial return (ministry)")
def return_upload(request, payload: ReturnIn):
    """A province's signed return; refused (400) when its signature, region or period does not hold."""
    received = services.return_import(actor=request.user, text=json.dumps({"return": payload.token}))
    return Status(
        201,
        ReturnOut(
            region=received.region_id,
            period_from=received.period_from,
            period_to=received.period_to,
            kid=received.kid,
            current=received.current,
        ),
    )


@router.get("/reports/returns/notice", response=dict[str, Any], summary="The national notice from the returns")
def returns_notice(request, query: Query[NoticeQuery]):
    return returns_figures(user=request.user, period=Period(query.date_from, query.date_to))
