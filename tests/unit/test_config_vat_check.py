"""VAT_CHECK: a checked choice of `checksum` (the default) or `none`."""

import pytest

from orgimport.core.config import ConfigError, Settings


def test_vat_check_defaults_to_checksum():
    assert Settings.from_env({}).vat_check == "checksum"


@pytest.mark.parametrize(
    ("raw", "value"), [("none", "none"), ("checksum", "checksum"), (" NONE ", "none")]
)
def test_vat_check_takes_either_word_in_any_case(raw, value):
    assert Settings.from_env({"VAT_CHECK": raw}).vat_check == value


@pytest.mark.parametrize("raw", ["off", "false", "0", "checksums"])
def test_any_other_vat_check_is_refused_with_the_variable_and_the_choices_named(raw):
    with pytest.raises(ConfigError, match=r"VAT_CHECK must be one of checksum, none"):
        Settings.from_env({"VAT_CHECK": raw})
