"""Types shared by the API's schemas.

(No ``from __future__ import annotations``: django-ninja and pydantic read the annotations at import time.)
"""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator

from peikao.core.validators import within_calendar


def _within_calendar(value: dt.datetime) -> dt.datetime:
    if not within_calendar(value):
        raise ValueError("the time is out of the calendar's range in UTC or in Beijing time")
    return value


# A date and time the platform can store and show: a 422 for one on the calendar's edge that UTC or Beijing time
# would push out of it (0001-01-01T00:00+14:00, 9999-12-31T23:00-12:00), which was a 500 in the services.
Moment = Annotated[dt.datetime, AfterValidator(_within_calendar)]
