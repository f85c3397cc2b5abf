"""VAT identity: two VATs are the same when their keys are equal."""

import re

_IGNORED = re.compile(r"[\s.\-]+")


def vat_key(vat: str) -> str:
    """`it 123.456` and `IT123456` -> `IT123456`: upper-cased, spaces, dots and hyphens removed."""
    return _IGNORED.sub("", vat).upper()
