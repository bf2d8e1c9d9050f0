"""The embedded emulator writes each DynamoDB item atomically, as DynamoDB does: the read model
and the idempotency claims rely on it (concurrent updates of one item, conditional puts)."""

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.runtime.context import RuntimeContext

pytestmark = pytest.mark.integration
ITEMS = 20
TABLE = "ior-atomic-writes"
WRITERS = 6


@pytest.fixture(autouse=True)
def threads_switch_often() -> Iterator[None]:
    """The emulator's server threads run in this process: switching between threads every few
    microseconds instead of every 5 ms makes a race between two requests show within a test."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


@pytest.fixture
def db(settings):
    dynamodb = RuntimeContext.from_settings(settings).clients.dynamodb
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb


def test_concurrent_updates_of_one_new_item_keep_every_attribute(db):
    def set_attribute(job: tuple[int, int]) -> None:
        item, writer = job
        db.update_item(
            TableName=TABLE,
            Key={"pk": {"S": f"ITEM#{item}"}},
            UpdateExpression="SET #a = :v",
            ExpressionAttributeNames={"#a": f"writer{writer}"},
            ExpressionAttributeValues={":v": {"N": str(writer)}},
        )

    jobs = [(item, writer) for item in range(ITEMS) for writer in range(WRITERS)]
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(set_attribute, jobs))

    for item in range(ITEMS):
        stored = db.get_item(TableName=TABLE, Key={"pk": {"S": f"ITEM#{item}"}})["Item"]
        assert {f"writer{w}" for w in range(WRITERS)} <= set(stored), item


def test_of_concurrent_conditional_puts_of_one_item_exactly_one_succeeds(db):
    def claim(job: tuple[int, int]) -> bool:
        item, writer = job
        try:
            db.put_item(
                TableName=TABLE,
                Item={"pk": {"S": f"CLAIM#{item}"}, "by": {"N": str(writer)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    jobs = [(item, writer) for item in range(ITEMS) for writer in range(WRITERS)]
    with ThreadPoolExecutor(WRITERS) as pool:
        won = list(pool.map(claim, jobs))
    for item in range(ITEMS):
        assert sum(won[item * WRITERS : (item + 1) * WRITERS]) == 1, item
