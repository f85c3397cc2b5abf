"""Email and phone checks by well-kept libraries (CONTRACT section 7), for every kind.

email-validator checks syntax only (no DNS); phonenumbers knows each country's possible
lengths. Both are imported on first use, so a cold start that checks no contact does not
pay for them. The value stored is still what was entered, trimmed: these only judge.
"""

from __future__ import annotations

# A phone is `+`, then digits, spaces, `-`, `(`, `)` (section 2's characters): phonenumbers
# alone would also read letters as digits (`+1 800 FLOWERS`) and skip other punctuation.
_PHONE_CHARACTERS = frozenset("0123456789 -()")


def is_valid_email(text: str) -> bool:
    """A plain address by RFC 5322 syntax as email-validator reads it: no display name,
    no quoted local part, no `..`, no leading or trailing dot, a dotted domain."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def is_possible_phone(text: str) -> bool:
    """`+`, a country code and a number of a length that country can have.

    Only `IS_POSSIBLE` counts: a length that is possible only when dialled locally
    cannot follow a `+`.
    """
    if not text.startswith("+") or not set(text[1:]) <= _PHONE_CHARACTERS:
        return False
    import phonenumbers

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return False
    reason = phonenumbers.is_possible_number_with_reason(number)
    return bool(reason == phonenumbers.ValidationResult.IS_POSSIBLE)
