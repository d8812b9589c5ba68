import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from anju.community.idnumbers import (
    birth_date_of,
    check_char,
    gender_of,
    make_id_number,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_phone,
)

# A published sample number from GB 11643 teaching material: check character X.
SAMPLE = "11010519491231002X"


def test_check_character_of_a_known_number():
    assert check_char(SAMPLE[:17]) == "X"
    validate_id_number(SAMPLE)
    validate_id_number(SAMPLE.lower())  # a lower-case x is accepted and normalised


def test_made_numbers_are_valid_and_carry_their_birth_date():
    born = datetime.date(1953, 2, 28)
    number = make_id_number("411421", born, 17)
    validate_id_number(number)
    assert birth_date_of(number) == born
    assert gender_of(number) == "M"  # odd sequence


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_check_digit"),  # last character wrong
        ("110105194902300028", "id_birth_date"),  # 30 February
        ("110105209912310028", "id_birth_date"),  # born in the future
        ("11010519491231002", "id_format"),  # 17 characters
        ("1101051949123100XX", "id_format"),  # X only at the end
        ("", "id_format"),
    ],
)
def test_bad_numbers_are_refused_with_their_reason(number, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(number)
    assert error.value.code == code


def test_errors_are_translated():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as error:
            validate_id_number("110105194912310021")
        # The message is lazy: read it while Chinese is the active language.
        assert "身份证" in str(error.value.messages[0])


def test_masking():
    assert mask_id_number("142701195001011234") == "1427**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0371-12345678") == "0371-****5678"
    assert mask_id_number("") == "" and mask_phone(None) == ""


@pytest.mark.parametrize("phone", ["13812345678", "19912345678", "0371-12345678", "01012345678"])
def test_good_phones(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "12345", "phone", "0371-123"])
def test_bad_phones(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)
