"""`ior up` on an emulator left from an older topology: a table whose key changed is named."""

import pytest

from contracts.topology import TABLE_COMPARISON_INVOICES
from services.runtime.context import RuntimeContext
from services.runtime.errors import TableKeyDrift
from services.runtime.operations import provision


def test_a_table_with_another_key_than_the_topology_is_reported_not_used(context: RuntimeContext):
    db = context.clients.dynamodb
    db.delete_table(TableName=TABLE_COMPARISON_INVOICES)
    db.create_table(
        TableName=TABLE_COMPARISON_INVOICES,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "invoice_number", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "invoice_number", "KeyType": "HASH"}],
    )
    with pytest.raises(TableKeyDrift) as raised:
        provision.apply(context.clients)
    assert str(raised.value).startswith(
        "table ior-comparison-invoices exists with key invoice_number (HASH) but the topology "
        "defines invoice_number (HASH), kind (RANGE)"
    )


def test_applying_the_topology_again_finds_every_table_as_it_should_be(context: RuntimeContext):
    provision.apply(context.clients)  # the fixture applied it once already
