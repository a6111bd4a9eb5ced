"""The national dossier code `<agency code>-<YYMMDD>-<daily sequence>` (Circular 01/2018/TT-VPCP)."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.codes import format_dossier_code, parse_dossier_code, sequence_key

AGENCY = "000.00.04.G18"
DAY = date(2026, 11, 21)


def test_the_example_from_the_circular_is_formatted_exactly():
    assert format_dossier_code(AGENCY, DAY, 1) == "000.00.04.G18-261121-0001"


@pytest.mark.parametrize(("sequence", "suffix"), [(1, "0001"), (9, "0009"), (10, "0010"), (123, "0123"),
                                                  (9999, "9999")])
def test_the_sequence_is_zero_padded_to_four_digits(sequence, suffix):
    assert format_dossier_code(AGENCY, DAY, sequence) == f"{AGENCY}-261121-{suffix}"


@pytest.mark.parametrize(("sequence", "suffix"), [(10000, "10000"), (123456, "123456")])
def test_the_sequence_widens_past_9999_instead_of_wrapping(sequence, suffix):
    code = format_dossier_code(AGENCY, DAY, sequence)
    assert code == f"{AGENCY}-261121-{suffix}"
    assert parse_dossier_code(code) == (AGENCY, DAY, sequence)


def test_the_date_part_is_two_digit_year_month_day():
    assert format_dossier_code(AGENCY, date(2030, 1, 5), 7) == f"{AGENCY}-300105-0007"


@pytest.mark.parametrize("sequence", [0, -1])
def test_a_sequence_below_one_is_rejected(sequence):
    with pytest.raises(ValueError, match="sequence"):
        format_dossier_code(AGENCY, DAY, sequence)


@pytest.mark.parametrize("agency", ["", "A", "000.00.04.g18", ".000.00.04", "000.00.04.", "000-00-04",
                                    "000 00 04", "G18#1", "Ｇ18"])
def test_an_invalid_agency_code_is_rejected(agency):
    with pytest.raises(ValueError, match="agency"):
        format_dossier_code(agency, DAY, 1)


@pytest.mark.parametrize("agency", ["G18", "H26", "000.00.04.G18", "12", "000.23.45.H01"])
def test_valid_agency_codes_round_trip(agency):
    code = format_dossier_code(agency, DAY, 42)
    assert parse_dossier_code(code) == (agency, DAY, 42)


def test_codes_of_consecutive_sequences_sort_in_order_within_four_digits():
    codes = [format_dossier_code(AGENCY, DAY, n) for n in (1, 2, 10, 100, 9999)]
    assert codes == sorted(codes)


def test_parse_reads_the_example_back():
    assert parse_dossier_code("000.00.04.G18-261121-0001") == ("000.00.04.G18", DAY, 1)


def test_parse_accepts_the_leap_day():
    assert parse_dossier_code(f"{AGENCY}-280229-0001") == (AGENCY, date(2028, 2, 29), 1)


@pytest.mark.parametrize("day", ["261321", "261100", "261131", "260230", "270229", "260001", "000000"])
def test_parse_rejects_dates_that_do_not_exist(day):
    assert parse_dossier_code(f"{AGENCY}-{day}-0001") is None


@pytest.mark.parametrize("code", [
    "", "000.00.04.G18", "000.00.04.G18-261121", "000.00.04.G18-261121-001", "000.00.04.G18-2611-0001",
    "000.00.04.G18-26112-0001", "000.00.04.g18-261121-0001", "-261121-0001", "000.00.04.G18-261121-00a1",
    "000.00.04.G18_261121_0001", " 000.00.04.G18-261121-0001", "000.00.04.G18-261121-0001 ",
    "000.00.04.G18-261121-0001-0002",
])
def test_parse_rejects_malformed_codes(code):
    assert parse_dossier_code(code) is None


@pytest.mark.parametrize("code", [
    pytest.param("000.00.04.G18-261121-0001\n", id="trailing-newline"),
    pytest.param("000.00.04.G18-\u0662\u0666\u0661\u0661\u0662\u0661-\u0660\u0660\u0660\u0661",
                 id="arabic-indic-digits"),
    pytest.param("000.00.04.G18-261121-0000", id="sequence-zero"),
])
def test_parse_rejects_codes_that_format_could_never_produce(code):
    assert parse_dossier_code(code) is None


def test_sequence_key_is_per_agency_per_day():
    assert sequence_key(AGENCY, DAY) == "000.00.04.G18#261121"
    assert sequence_key(AGENCY, date(2026, 11, 22)) != sequence_key(AGENCY, DAY)
    assert sequence_key("H26", DAY) != sequence_key(AGENCY, DAY)
