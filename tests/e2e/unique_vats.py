"""VATs with valid check digits that no other test of the session holds.

The local stack's store lives as long as the test session, and the service verifies
check digits, so a test cannot tag its VATs with a random text: it takes a random block
of Italian numbers (`fresh_vats`), or renumbers a fixture's VATs for its run
(`renumbered`), keeping how each one is written.
"""

from __future__ import annotations

import random
import re

from stdnum import luhn
from stdnum.iso7064 import mod_11_10

from tests.vats import it_vat

BLOCK = 1000
_rng = random.SystemRandom()
# an Italian (11 digits) or German (9 digits) VAT as a fixture writes it: spaces, dots,
# hyphens between the digits, any case
_VAT = re.compile(r"(?i)\b(it|de)([ .\-]?\d[\d .\-]*\d)")


def fresh_vats(count: int) -> list[str]:
    """`count` distinct Italian VATs: a random block of a random province office."""
    if not 0 < count <= BLOCK:
        raise ValueError(f"at most {BLOCK} VATs a block, not {count}")
    block, office = _rng.randrange(9_999), f"{_rng.randrange(1, 101):03d}"
    return [it_vat(block * BLOCK + n, office=office) for n in range(count)]


def new_run() -> int:
    """A run number for `renumbered`: five digits."""
    return _rng.randrange(10_000, 100_000)


def _digits_for(prefix: str, digits: str, run: int) -> str:
    if prefix.upper() == "IT" and len(digits) == 11:
        # company number: the run, then the fixture's last two digits; the office stays
        base = f"{run:05d}{int(digits[:7]) % 100:02d}{digits[7:10]}"
        return base + luhn.calc_check_digit(base)
    if prefix.upper() == "DE" and len(digits) == 9:
        base = f"1{run:05d}{int(digits[:8]) % 100:02d}"  # a German number never starts with 0
        return base + mod_11_10.calc_check_digit(base)
    raise ValueError(f"not an Italian or German VAT: {prefix}{digits}")


def renumbered(text: str, run: int) -> str:
    """`text` with each Italian and German VAT renumbered for `run`: written the same way
    (separators and case kept), check digit recomputed; VATs equal in the fixture stay
    equal, distinct ones (by their last two company digits) stay distinct."""

    def renumber(match: re.Match[str]) -> str:
        prefix, written = match.group(1), match.group(2)
        new = iter(_digits_for(prefix, re.sub(r"\D", "", written), run))
        return prefix + re.sub(r"\d", lambda _: next(new), written)

    return _VAT.sub(renumber, text)
