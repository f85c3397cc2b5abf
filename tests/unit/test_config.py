"""Settings come from environment variables, checked once."""

import pytest

from orgimport.core.config import ConfigError, Settings


def test_defaults_when_nothing_is_set():
    s = Settings.from_env({})
    assert (s.org_id_claim, s.org_role_claim, s.import_session_ttl_seconds) == (
        "org_id",
        "org_role",
        1800,
    )


def test_environment_overrides_and_numbers_are_parsed():
    s = Settings.from_env(
        {"ORG_ROLE_CLAIM": "role", "IMPORT_SESSION_TTL_SECONDS": "2", "CONFIRM_CONCURRENCY": "4"}
    )
    assert (s.org_role_claim, s.import_session_ttl_seconds, s.confirm_concurrency) == ("role", 2, 4)


@pytest.mark.parametrize(
    ("name", "value"), [("CONFIRM_CONCURRENCY", "0"), ("IMPORT_SESSION_TTL_SECONDS", "soon")]
)
def test_bad_numbers_are_refused_with_the_variable_named(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
