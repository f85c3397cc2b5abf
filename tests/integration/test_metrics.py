"""The metrics the alarms and the dashboard read, as the handlers write them (EMF lines
on stdout): the CRUD function's writes, and the failed rows of a confirm."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.conftest import build_event, call_handler
from tests.vats import it_vat

OWNER = {"role": "owner", "org": "owner", "user_roles": ["Super Admin"]}


@pytest.fixture(autouse=True)
def _aws(aws):
    yield


def emitted(out: str) -> dict[str, float]:
    """Every metric of the EMF lines printed, summed by name."""
    found: dict[str, float] = {}
    for line in out.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                found[metric["Name"]] = found.get(metric["Name"], 0) + sum(
                    value if isinstance(value, list) else [value]
                )
    return found


def create(vat: str) -> dict[str, Any]:
    event = build_event(
        "POST", "/distributors", **OWNER, body={"name": f"Co {vat}", "custom_data": {"vat": vat}}
    )
    return call_handler("distributors", event)


def test_a_create_counts_one_record_write_and_a_refused_one_none(capsys) -> None:
    assert create(it_vat(4401))["statusCode"] == 201
    assert emitted(capsys.readouterr().out).get("RecordWrites") == 1

    assert create(it_vat(4401))["statusCode"] == 400  # the VAT is taken
    assert "RecordWrites" not in emitted(capsys.readouterr().out)


def test_a_confirm_with_a_row_the_store_refuses_counts_it_failed(capsys, monkeypatch) -> None:
    from orgimport.storage.vat_guards import VatGuards

    lines = ["company_name,vat_number", f"Alfa,{it_vat(4402)}", f"Beta,{it_vat(4403)}"]
    validated = call_handler(
        "import_validate",
        build_event(
            "POST",
            "/distributors/import/validate",
            **OWNER,
            body="\n".join(lines) + "\n",
            headers={"content-type": "text/csv"},
        ),
    )
    import_id = json.loads(validated["body"])["data"]["import_id"]
    claim = VatGuards.claim

    def refusing(self: Any, vat: str, *args: Any, **kwargs: Any) -> Any:
        if vat == it_vat(4403):
            raise RuntimeError("ProvisionedThroughputExceededException")
        return claim(self, vat, *args, **kwargs)

    monkeypatch.setattr(VatGuards, "claim", refusing)
    capsys.readouterr()
    result = call_handler(
        "import_confirm",
        build_event(
            "POST",
            "/distributors/import/confirm",
            **OWNER,
            body={"import_id": import_id, "override": False},
        ),
    )
    assert result["statusCode"] == 200, result
    metrics = emitted(capsys.readouterr().out)
    assert (metrics["ImportRowsCreated"], metrics["ImportRowsFailed"]) == (1, 1)
