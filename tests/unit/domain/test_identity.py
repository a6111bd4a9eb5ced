import unicodedata
from datetime import date

import pytest

from chalicelib.domain.identity import (
    CITIZEN_ID_PROVINCES,
    check_citizen_id,
    check_email,
    check_phone,
    check_tax_code,
    citizen_id_birth_century,
    normalise_phone,
    normalise_text_for_search,
    tax_code_check_digit,
)

TODAY = date(2026, 3, 2)

# --- citizen ID ---------------------------------------------------------------------------------
# 001 (Hà Nội) + 0 (male, 1900s) + 95 (1995) + 012345
HANOI_MAN_1995 = "001095012345"
# 079 (TP HCM) + 3 (female, 2000s) + 01 (2001) + 000123
HCMC_WOMAN_2001 = "079301000123"


def test_the_province_list_is_the_official_sixty_three_codes():
    assert len(CITIZEN_ID_PROVINCES) == 63
    assert CITIZEN_ID_PROVINCES["001"] == "Hà Nội"
    assert CITIZEN_ID_PROVINCES["079"] == "Thành phố Hồ Chí Minh"
    assert CITIZEN_ID_PROVINCES["096"] == "Cà Mau"
    # Codes are not contiguous: these were never assigned.
    assert not {"003", "005", "007", "009", "013", "097"} & CITIZEN_ID_PROVINCES.keys()


@pytest.mark.parametrize(("digit", "century"), [(0, 1900), (1, 1900), (2, 2000), (3, 2000), (4, 2100),
                                                (7, 2200), (9, 2300)])
def test_the_fourth_digit_encodes_the_birth_century(digit, century):
    assert citizen_id_birth_century(digit) == century


@pytest.mark.parametrize("value", [HANOI_MAN_1995, HCMC_WOMAN_2001, "096199123456", f" {HANOI_MAN_1995}\n"])
def test_well_formed_citizen_ids_are_accepted(value):
    assert check_citizen_id(value, today=TODAY) is None


@pytest.mark.parametrize("value", ["", "00109501234", "0010950123456", "00109501234a", "001 095 012 345",
                                   "００１０９５０１２３４５"])
def test_citizen_ids_that_are_not_twelve_ascii_digits_are_a_format_error(value):
    assert check_citizen_id(value, today=TODAY) == "citizen_id.format"


def test_a_non_string_citizen_id_is_a_format_error():
    assert check_citizen_id(1095012345, today=TODAY) == "citizen_id.format"


@pytest.mark.parametrize("value", ["003095012345", "000095012345", "097095012345", "100095012345"])
def test_citizen_ids_with_an_unassigned_province_code_are_rejected(value):
    assert check_citizen_id(value, today=TODAY) == "citizen_id.province"


def test_a_citizen_id_from_a_century_that_has_not_begun_is_rejected():
    # 4 = male born in the 2100s: nobody yet in 2026.
    assert check_citizen_id("001495012345", today=TODAY) == "citizen_id.century"
    assert check_citizen_id("001495012345", today=date(2195, 1, 1)) is None


def test_a_citizen_id_whose_birth_year_is_still_to_come_is_rejected():
    # 2 = male born in the 2000s; "27" is 2027, after TODAY's year.
    assert check_citizen_id("001227012345", today=TODAY) == "citizen_id.birth_year_future"
    assert check_citizen_id(f"00120{TODAY.year % 10}012345", today=TODAY) is None  # born this year: possible
    assert check_citizen_id("001227012345", today=date(2027, 1, 1)) is None


def test_a_citizen_id_matching_the_date_of_birth_is_accepted():
    assert check_citizen_id(HANOI_MAN_1995, date(1995, 12, 31), today=TODAY) is None
    assert check_citizen_id(HCMC_WOMAN_2001, date(2001, 1, 1), today=TODAY) is None


def test_a_citizen_id_with_another_birth_year_is_a_mismatch():
    assert check_citizen_id(HANOI_MAN_1995, date(1996, 1, 1), today=TODAY) == "citizen_id.birth_mismatch"


def test_a_citizen_id_with_the_right_year_but_wrong_century_is_a_mismatch():
    # 2 = 2000s, so "001205..." claims 2005, not 1905.
    assert check_citizen_id("001205012345", date(1905, 6, 1), today=TODAY) == "citizen_id.birth_mismatch"
    # ... and "001295..." claims 2095: no one is born yet, whatever the date of birth says.
    assert check_citizen_id("001295012345", date(1995, 6, 1), today=TODAY) == "citizen_id.birth_year_future"


def test_the_format_error_wins_over_the_birth_check():
    assert check_citizen_id("123", date(1995, 6, 1), today=TODAY) == "citizen_id.format"


# --- tax code -----------------------------------------------------------------------------------
# 0100109106: weights 31,29,23,19,17,13,7,5,3 over 0,1,0,0,1,0,9,1,0
#   = 0 + 29 + 0 + 0 + 17 + 0 + 63 + 5 + 0 = 114; 114 mod 11 = 4; 10 - 4 = 6 → check digit 6.
VALID_TAX_CODE = "0100109106"
# 0301234562: 0 + 87 + 0 + 19 + 34 + 39 + 28 + 25 + 18 = 250; 250 mod 11 = 8; 10 - 8 = 2.
OTHER_VALID_TAX_CODE = "0301234562"


def test_the_check_digit_follows_the_weighted_sum():
    assert tax_code_check_digit("010010910") == 6
    assert tax_code_check_digit("030123456") == 2


def test_nine_digits_whose_sum_is_a_multiple_of_eleven_admit_no_check_digit():
    # 000000000 sums to 0; 10 - 0 = 10, which is not a digit.
    assert tax_code_check_digit("000000000") is None
    assert check_tax_code("0000000000") == "tax_code.checksum"


@pytest.mark.parametrize("value", [VALID_TAX_CODE, OTHER_VALID_TAX_CODE, f"  {VALID_TAX_CODE} "])
def test_ten_digit_tax_codes_with_the_right_check_digit_are_accepted(value):
    assert check_tax_code(value) is None


@pytest.mark.parametrize("value", ["0100109107", "0100109100", "0301234563"])
def test_ten_digit_tax_codes_with_a_wrong_check_digit_fail_the_checksum(value):
    assert check_tax_code(value) == "tax_code.checksum"


@pytest.mark.parametrize("value", ["0100109106-001", "0100109106-123", "0100109106001"])
def test_branch_tax_codes_of_a_valid_parent_are_accepted(value):
    assert check_tax_code(value) is None


def test_a_branch_of_a_parent_with_a_wrong_check_digit_fails_the_checksum():
    assert check_tax_code("0100109107-001") == "tax_code.checksum"


@pytest.mark.parametrize("value", ["0100109106-000", "0100109106-01", "0100109106_001", "0100109106 - 001"])
def test_malformed_branch_suffixes_are_a_format_error(value):
    assert check_tax_code(value) == "tax_code.format"


def test_a_valid_personal_identification_number_serves_as_a_personal_tax_code():
    assert check_tax_code(HANOI_MAN_1995) is None


def test_a_twelve_digit_number_that_is_no_citizen_id_is_a_format_error():
    assert check_tax_code("003095012345") == "tax_code.format"


@pytest.mark.parametrize("value", ["", "010010910", "01001091066", "01001O9106", None])
def test_tax_codes_of_any_other_shape_are_a_format_error(value):
    assert check_tax_code(value) == "tax_code.format"


# --- phone --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "e164"), [
    ("0912345678", "+84912345678"),
    ("0912 345 678", "+84912345678"),
    ("091.234.5678", "+84912345678"),
    ("+84 912 345 678", "+84912345678"),
    ("0351234567", "+84351234567"),
    ("0561234567", "+84561234567"),
    ("0781234567", "+84781234567"),
    ("0861234567", "+84861234567"),
    ("(024) 3826 1234", "+842438261234"),
    ("+84 28 3829 1234", "+842838291234"),
])
def test_vietnamese_mobile_and_landline_numbers_are_accepted_and_normalised(value, e164):
    assert check_phone(value) is None
    assert normalise_phone(value) == e164


@pytest.mark.parametrize("value", [
    "01234567890",   # 11-digit mobile prefix retired in 2018
    "0123456789",    # 01 is not a mobile prefix
    "0412345678",    # 04 is not a mobile prefix
    "0612345678",
    "091234567",     # too short
    "09123456789",   # too long
    "+8409123456789",
    "+1 912 345 678",
    "84912345678",   # international form without the plus sign is ambiguous
    "091234567a",
    "",
    None,
])
def test_other_numbers_are_a_phone_format_error(value):
    assert check_phone(value) == "phone.format"


def test_normalising_an_invalid_phone_number_raises():
    with pytest.raises(ValueError):
        normalise_phone("12345")


# --- email --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["nguyen.van.a@molisa.gov.vn", "a+tag@example.com", " hr@company.com.vn ",
                                   "x@sub-domain.example.org"])
def test_ordinary_email_addresses_are_accepted(value):
    assert check_email(value) is None


@pytest.mark.parametrize("value", ["no-at-sign", "a@b", "a@@b.vn", "a b@c.vn", ".a@b.vn", "a.@b.vn",
                                   "a..b@c.vn", "a@-b.vn", "a@b.v", "nguyễn@x.vn", "", None])
def test_malformed_email_addresses_are_rejected(value):
    assert check_email(value) == "email.format"


def test_an_email_address_longer_than_254_characters_is_rejected():
    address = "a@" + ".".join(["b" * 60] * 4) + ".vn"  # 2 + 243 + 3 = 248 characters
    assert check_email(address) is None
    longer = "a" * 10 + address[1:]  # 257 characters
    assert check_email(longer) == "email.format"


def test_a_local_part_longer_than_64_characters_is_rejected():
    assert check_email("a" * 64 + "@x.vn") is None
    assert check_email("a" * 65 + "@x.vn") == "email.format"


# --- search text --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Cấp giấy phép lao động", "cap giay phep lao dong"),
    ("  Cấp   GIẤY\tphép \n lao động ", "cap giay phep lao dong"),
    ("Đăng ký hoạt động giáo dục nghề nghiệp", "dang ky hoat dong giao duc nghe nghiep"),
    ("Thừa Thiên Huế", "thua thien hue"),
    ("Người có công", "nguoi co cong"),
    ("trợ cấp thất nghiệp", "tro cap that nghiep"),
    ("cap giay phep", "cap giay phep"),
    ("", ""),
])
def test_search_text_loses_case_diacritics_and_extra_spaces(text, expected):
    assert normalise_text_for_search(text) == expected


def test_search_text_is_the_same_for_composed_and_decomposed_input():
    composed = unicodedata.normalize("NFC", "Bảo trợ xã hội")
    decomposed = unicodedata.normalize("NFD", "Bảo trợ xã hội")
    assert composed != decomposed
    assert normalise_text_for_search(composed) == normalise_text_for_search(decomposed) == "bao tro xa hoi"
