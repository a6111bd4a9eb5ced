"""Checks on the identifiers applicants type in: citizen ID, tax code, phone, email.

Each ``check_*`` returns ``None`` when the value is acceptable, otherwise a stable error code that
``messages.py`` turns into Vietnamese and English text. Surrounding whitespace is tolerated (forms
and copy-paste add it); anything else is the applicant's to fix. The checks are structural: a value
that passes may still not exist, which only the national databases can say.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Province/city codes that open a 12-digit personal identification number (số định danh cá nhân),
# i.e. the place where the birth was registered. The 63 codes are those of the provinces as they
# stood before the 2025 mergers; numbers already issued keep them for life, so all 63 stay valid.
CITIZEN_ID_PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Thành phố Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre",
    "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang",
    "092": "Cần Thơ", "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
# re.ASCII: without it \d also matches fullwidth and other Unicode digits.
_DIGITS_12 = re.compile(r"^\d{12}$", re.ASCII)
_TAX_10 = re.compile(r"^\d{10}$", re.ASCII)
_TAX_BRANCH = re.compile(r"^(\d{10})-?(\d{3})$", re.ASCII)
_MOBILE = re.compile(r"^0[35789]\d{8}$", re.ASCII)
_LANDLINE = re.compile(r"^02\d{9}$", re.ASCII)  # 02 + area code + subscriber: 11 digits since 2017
_PHONE_PUNCTUATION = re.compile(r"[\s.\-()]")
# Pragmatic, not RFC 5322: ASCII local part without leading/trailing/double dots, a domain of
# dot-separated labels and an alphabetic TLD. Enough to catch typos without rejecting real addresses.
_EMAIL = re.compile(
    r"^(?=.{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_SPACES = re.compile(r"\s+")


def citizen_id_birth_century(digit: int) -> int:
    """First year of the birth century encoded, with gender, in the 4th digit: 0/1 → 1900 (male/female),
    2/3 → 2000, 4/5 → 2100, 6/7 → 2200, 8/9 → 2300."""
    return 1900 + (digit // 2) * 100


def check_citizen_id(value: str, date_of_birth: date | None = None, *,
                     today: date | None = None) -> str | None:
    """12-digit personal identification number (printed on the chip-based citizen ID card, CCCD).

    Layout: 3-digit province code of birth registration, 1 digit for gender and birth century,
    2 digits for the last two digits of the birth year, 6 random digits. There is no check digit.
    A century that has not begun yet, or a birth year still to come (relative to ``today``), is rejected: no
    such person exists. With ``date_of_birth``, the encoded century and year must match it.
    """
    if not isinstance(value, str):
        return "citizen_id.format"
    number = value.strip()
    if not _DIGITS_12.match(number):
        return "citizen_id.format"
    if number[:3] not in CITIZEN_ID_PROVINCES:
        return "citizen_id.province"
    century = citizen_id_birth_century(int(number[3]))
    current_year = (today or date.today()).year
    if century > current_year:
        return "citizen_id.century"
    if century + int(number[4:6]) > current_year:
        return "citizen_id.birth_year_future"
    if date_of_birth is not None and date_of_birth.year != century + int(number[4:6]):
        return "citizen_id.birth_mismatch"
    return None


def tax_code_check_digit(first_nine: str) -> int | None:
    """Check digit of a 10-digit enterprise tax code; None when the nine digits admit none (the
    formula gives 10), which means no valid code starts with them."""
    total = sum(int(d) * w for d, w in zip(first_nine, _TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def check_tax_code(value: str) -> str | None:
    """Tax code (mã số thuế) of an organisation, a branch, or a person.

    Accepted forms:

    - 10 digits: an enterprise or organisation. The 10th digit is a check digit over the first nine
      (weights 31, 29, 23, 19, 17, 13, 7, 5, 3; check = 10 - sum mod 11; a result of 10 is invalid).
    - 10 digits, dash, 3 digits (``0100109106-001``): a dependent unit (branch). The first ten must be
      a valid parent code; the suffix 000 is not a unit. The same 13 digits without the dash are
      also accepted because many systems (e-invoices, bank exports) drop it.
    - 12 digits: since 1 July 2025 an individual's (and a household business's) personal
      identification number is used as the tax code (Thông tư 86/2024/TT-BTC), so a structurally
      valid citizen ID is a valid personal tax code.

    Only ``tax_code.format`` and ``tax_code.checksum`` are returned; a bad 12-digit number is a format
    error here because the applicant entered it as a tax code.
    """
    if not isinstance(value, str):
        return "tax_code.format"
    code = value.strip()
    if _DIGITS_12.match(code):
        return None if check_citizen_id(code) is None else "tax_code.format"
    branch = _TAX_BRANCH.match(code)
    if branch:
        if branch.group(2) == "000":
            return "tax_code.format"
        code = branch.group(1)
    if not _TAX_10.match(code):
        return "tax_code.format"
    expected = tax_code_check_digit(code[:9])
    if expected is None or int(code[9]) != expected:
        return "tax_code.checksum"
    return None


def _national_phone(value: str) -> str | None:
    """The number in national form (leading 0), or None if it is not a Vietnamese number."""
    if not isinstance(value, str):
        return None
    number = _PHONE_PUNCTUATION.sub("", value)
    if number.startswith("+84"):
        number = "0" + number[3:]
    if _MOBILE.match(number) or _LANDLINE.match(number):
        return number
    return None


def check_phone(value: str) -> str | None:
    """Vietnamese mobile (03, 05, 07, 08, 09 + 8 digits) or landline (02 + 9 digits), written in national
    form (``0912 345 678``) or international form (``+84 912 345 678``). Spaces, dots, dashes and
    brackets are ignored. The pre-2018 11-digit mobile prefixes (01x) are gone and rejected."""
    return None if _national_phone(value) else "phone.format"


def normalise_phone(value: str) -> str:
    """E.164 form (``+84912345678``) of a number that passes :func:`check_phone`; ValueError otherwise."""
    number = _national_phone(value)
    if number is None:
        raise ValueError(f"not a Vietnamese phone number: {value!r}")
    return "+84" + number[1:]


def check_email(value: str) -> str | None:
    """Pragmatic email check: at most 254 characters, local part at most 64, a dotted domain."""
    if not isinstance(value, str):
        return "email.format"
    address = value.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        return "email.format"
    return None


def normalise_text_for_search(s: str) -> str:
    """Lowercase, without Vietnamese diacritics, single-spaced: "Cấp  Giấy phép" → "cap giay phep".

    Citizens often type without diacritics, so search compares both sides in this form. đ/Đ are
    letters of their own, not d plus a mark, so NFD leaves them alone: they are mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", s.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d")
    return _SPACES.sub(" ", stripped).strip()
