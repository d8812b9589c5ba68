"""Resident ID numbers (居民身份证号码, GB 11643-1999) and phone numbers.

An ID number is 18 characters: a 6-digit area code, the birth date as YYYYMMDD, a
3-digit sequence (odd for men, even for women) and a check character computed with
ISO 7064 MOD 11-2 ("X" stands for 10).
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anju.core.normalise import normalise_number

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code with or without a hyphen, 7–8 digit number, optional extension: 0371-12345678
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def normalise_id_number(value: str) -> str:
    """Full-width digits and Ｘ, spaces and invisible characters as typed on a phone are
    made plain (anju.core.normalise), so the checks below name the real problem."""
    return normalise_number(value)


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date_of(id_number: str) -> datetime.date | None:
    # Not strptime: it asks the locale module on every call (~0.1 ms), which a
    # 100,000-row register import feels.
    digits = id_number[6:14]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def gender_of(id_number: str) -> str:
    """ "M" or "F" from the sequence digit."""
    return "M" if int(id_number[16]) % 2 else "F"


def validate_id_number(value: str) -> None:
    number = normalise_id_number(value)
    if not ID_RE.match(number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."),
            code="id_format",
        )
    born = birth_date_of(number)
    if born is None or born > datetime.date.today() or born.year < 1880:
        raise ValidationError(
            _("The birth date inside this ID number (%(date)s) is not a real date."),
            code="id_birth_date",
            params={"date": number[6:14]},
        )
    if check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The last character of this ID number does not match: please check each digit."),
            code="id_check_digit",
        )


def mask_id_number(value: str) -> str:
    """1427**********1234: the first four and the last four characters."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def validate_phone(value: str) -> None:
    number = normalise_number(value)
    if not (MOBILE_RE.match(number) or LANDLINE_RE.match(number)):
        raise ValidationError(
            _(
                "Enter a mainland mobile number (11 digits, starting with 1) or a landline "
                "with its area code, such as 0371-12345678."
            ),
            code="phone",
        )


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep the area code and the last four digits."""
    if not value:
        return ""
    if MOBILE_RE.match(value):
        return value[:3] + "****" + value[-4:]
    return value[:-4].rstrip("0123456789") + "****" + value[-4:]


def make_id_number(area: str, born: datetime.date, sequence: int) -> str:
    """A valid ID number (for demo data and tests): area code, birth date, sequence."""
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
