"""Validators against the published vectors (copied from ../shared/data/vectors into data/vectors/, see its
NOTICE.md) and hand-made edge cases."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError

from peikao.core.privacy import mask_id_number
from peikao.core.validators import (
    id_number_facts,
    validate_id_number,
    validate_uscc,
)
from peikao.testing.shared_data import SHARED_DATA

VECTORS = Path(__file__).resolve().parent / "data" / "vectors"

# Our verdict on every resident-ID vector (the file records what other libraries said, not ours).
# Rule: 18 characters, check character, real birth date not in the future, region code that existed
# in some GB/T 2260 table (any period) or a residence-permit prefix 81/82/83.
ID_VALID = {
    "11010519491231002X",
    "11010519491231002x",
    "360426199101010071",
    "44011320141005001X",
    "412723199010050012",
    "110102199101010078",
    "120110198012010073",
    "120110199212010072",
    "110111198012010078",  # code registered later than the birth year: still valid (issued later)
    "110201199312010077",  # code deregistered by 1993: still valid (historical table)
    "440308199901101512",
    "810000199408230021",  # Hong Kong residence permit
    "830000199201300022",  # Taiwan residence permit
    "500154199301135886",
    "500154199804106120",
    "362324198001010014",
    "362324198201010019",
    "430302199312194239",
    "440524188001015368",
    "53010219200508011X",
    " 11010519491231002X",
}
ID_INVALID = {
    "990426199112010074": "id_region",
    "T60426199101010078": "id_format",
    "360426199113010079": "id_birth_date",
    "36042619910102009X": "id_checksum",
    "486268198802140611": "id_region",
    "354133198209290022": "id_region",
    "338720197801060214": "id_region",
    "387908198001010226": "id_region",
    "341617198002120424": "id_region",
    "38064219921117061X": "id_region",
    "45883019880120031X": "id_region",
    "610104620927690": "id_legacy_15",
    "440308199901101513": "id_checksum",
    "44030819990110": "id_length",
    "111111199901101512": "id_checksum",
    "440308199902301512": "id_checksum",
    "610104620932690": "id_legacy_15",
    "1101051949123100AX": "id_format",
    "119911199001011231": "id_region",
    "338720199001011237": "id_region",
    "449903199001011238": "id_region",
    "11010519491231002Y": "id_format",
}


def _vectors(name: str) -> list[dict[str, str]]:
    path = VECTORS / name
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["resident_id_vectors.csv", "uscc_vectors.csv"])
def test_the_vectors_are_those_of_the_shared_data(name):
    assert (VECTORS / name).read_bytes() == (SHARED_DATA / "vectors" / name).read_bytes()


def test_every_id_vector_has_a_verdict():
    numbers = {row["number"] for row in _vectors("resident_id_vectors.csv")}
    assert numbers == ID_VALID | set(ID_INVALID)


@pytest.mark.parametrize("number", sorted(ID_VALID))
def test_valid_id_vectors(number):
    assert validate_id_number(number) == number.strip().upper()


def _one_language_each(error: ValidationError) -> bool:
    """A form shows the active language only; an import report renders the same error in both."""
    from django.utils import translation

    with translation.override("zh-hans"):
        chinese = error.messages[0]
    with translation.override("en"):
        english = error.messages[0]
    has_han = any("\u4e00" <= char <= "\u9fff" for char in chinese)
    return has_han and " / " not in chinese and english != chinese and english.isascii()


@pytest.mark.parametrize("number,code", sorted(ID_INVALID.items()))
def test_invalid_id_vectors(number, code):
    with pytest.raises(ValidationError) as raised:
        validate_id_number(number)
    assert raised.value.code == code
    assert _one_language_each(raised.value), "the reason reads in the page's language, and in either language"


def test_id_vectors_checksum_column_agrees_with_ours():
    """Where the vectors file says the GB 11643 check is wrong, we reject with the checksum reason or earlier."""
    for row in _vectors("resident_id_vectors.csv"):
        if row["gb11643_checksum_ok"] == "False":
            with pytest.raises(ValidationError) as raised:
                validate_id_number(row["number"])
            assert raised.value.code in {"id_checksum", "id_format"}, row["number"]


def test_fifteen_digit_numbers_ask_for_the_eighteen_digit_number():
    with pytest.raises(ValidationError) as raised:
        validate_id_number("610104620927690")
    assert "18" in raised.value.messages[0]


def test_spaces_are_stripped_and_x_upper_cased():
    assert validate_id_number(" 1101 0519 4912 3100 2x ") == "11010519491231002X"


@time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
def test_birth_date_in_the_future_is_refused():
    import random

    from peikao.core.synthetic import id_number

    tomorrow = id_number(random.Random(1), "350102", dt.date(2026, 11, 28))
    today = id_number(random.Random(1), "350102", dt.date(2026, 11, 27))
    assert validate_id_number(today) == today
    with pytest.raises(ValidationError) as raised:
        validate_id_number(tomorrow)
    assert raised.value.code == "id_birth_future"


def test_facts_derived_from_the_number():
    facts = id_number_facts("11010519491231002X")
    assert facts.birth_date == dt.date(1949, 12, 31)
    assert facts.sex == "F"  # 17th digit 2 is even
    assert facts.region_code == "110105"
    assert id_number_facts("440308199901101512").sex == "M"


def test_masking_keeps_first_four_and_last_four():
    assert mask_id_number("35010219900101123X") == "3501**********123X"
    assert mask_id_number("") == ""


USCC_STRUCTURALLY_VALID = {"valid", "valid after removing spaces", "structurally valid (GB 32100)"}


def test_uscc_vectors():
    rows = _vectors("uscc_vectors.csv")
    assert len(rows) > 300
    for row in rows:
        number = row["number"]
        if row["expected"] in USCC_STRUCTURALLY_VALID:
            assert validate_uscc(number) == number.replace(" ", "").replace("-", ""), number
        else:
            assert row["expected"] == "invalid", row
            with pytest.raises(ValidationError):
                validate_uscc(number)


@pytest.mark.parametrize(
    "value,code",
    [
        ("12345", "uscc_length"),
        ("9111000060003IOZSV", "uscc_alphabet"),
        ("91110000600037341N", "uscc_checksum"),
        ("A1110000600037341L", "uscc_checksum"),
        ("01110000600037341L", "uscc_authority"),
        ("91110000600037351L", "uscc_org_code_checksum"),
        ("", "uscc_empty"),
    ],
)
def test_uscc_reasons(value, code):
    with pytest.raises(ValidationError) as raised:
        validate_uscc(value)
    assert raised.value.code == code
    assert _one_language_each(raised.value)


def test_uscc_hyphens_and_lower_case_are_normalised():
    assert validate_uscc("91-110000-600037341l") == "91110000600037341L"


def test_synthetic_identifiers_are_valid():
    import random

    from peikao.core import synthetic

    rng = random.Random(3)
    for _ in range(200):
        validate_uscc(synthetic.uscc(rng, "350102"))
        validate_id_number(synthetic.id_number(rng, "350102", synthetic.birth_date(rng, today=dt.date(2026, 1, 1))))


def test_an_import_report_keeps_both_languages_of_a_validators_reason():
    from peikao.core.exchange import get_kind
    from peikao.core.exchange.rows import Row

    row = Row(7, {"id_number": "110105194912310020"}, get_kind("persons"))
    assert row.id_number() == ""
    (problem,) = row.problems
    assert problem.code == "id_checksum" and problem.row == 7
    assert "校验码" in problem.zh and "check character" in problem.en
