"""VAT numbers with valid check digits, for tests and benchmarks.

The service verifies check digits (CONTRACT section 7), so every fixture VAT
must be a real-shaped one: `it_vat(n)` is the n-th Italian partita IVA
(company number n + 1, province office 001, Luhn check digit).
"""

from stdnum import luhn

# valid VATs of other countries, for tests that want a foreign one
DE_VAT = "DE136695976"
FR_VAT = "FR40303265045"
GB_VAT = "GB980780684"
CH_VAT = "CHE107787577"
NO_VAT = "NO995525828MVA"


def it_vat(n: int, office: str = "001") -> str:
    """`IT` and 11 digits whose check digit holds; distinct for each n < 9,999,999."""
    if not 0 <= n < 9_999_999:
        raise ValueError(f"n out of range: {n}")
    base = f"{n + 1:07d}{office}"
    return f"IT{base}{luhn.calc_check_digit(base)}"
