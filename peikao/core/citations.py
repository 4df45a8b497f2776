"""Legal references of the reference data as a Chinese reader cites them, wherever they are shown.

The domain files (and rows copied from them: a class's required basis, a decision's basis) name provisions in a
compact form, ``order_44 art. 34; exam_cert_measures_2013``. ``cite_reference`` turns any such text into
``《安全生产培训管理办法》（原国家安全监管总局令第44号）第三十四条；…``: each instrument by its title (regimes.yaml,
loaded as ``LegalInstrument``), each article in Chinese numerals, each phrase that names no instrument by its
Chinese wording (domain/citations_zh.yaml). Text that is already a citation is returned as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from peikao.core.models import LegalInstrument
from peikao.core.refdata import read_domain
from peikao.lib.legal_citations import cite, instrument_codes

_SEPARATORS = re.compile(r"[;；]")


def phrases() -> dict[str, str]:
    """Chinese wording of the parts of references that name no instrument (domain/citations_zh.yaml)."""
    return dict(read_domain("citations_zh.yaml").get("phrases") or {})


def reference_parts(text: str) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def cite_reference(text: str, titles: Mapping[str, str] | None = None) -> str:
    """``text`` as cited. ``titles`` (instrument code → title) saves the query when the caller has them."""
    parts = reference_parts(text)
    if not parts:
        return ""
    if titles is None:
        codes = set().union(*(instrument_codes(part) for part in parts))
        titles = dict(LegalInstrument.objects.filter(code__in=codes).values_list("code", "title")) if codes else {}
    wording = phrases()
    return "；".join(dict.fromkeys(wording.get(part) or cite(part, titles) or part for part in parts))
