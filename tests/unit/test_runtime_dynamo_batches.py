"""DynamoDB's multi-item calls without AWS: limits, what a throttled table leaves undone, and
which cancelled transactions are worth sending again."""

import pytest
from botocore.exceptions import ClientError

from services.runtime.aws.dynamo_batches import DynamoBatches, Update
from services.runtime.aws.retries import is_transient
from services.runtime.errors import TransientAwsError


class FakeDynamoDB:
    """Answers batch reads from `items`; leaves the last key unread for a few rounds."""

    def __init__(self, items: dict[str, dict], unread_rounds: int = 0):
        self.items = items
        self.unread_rounds = unread_rounds
        self.gets: list[list[dict]] = []
        self.transactions: list[list[dict]] = []

    def batch_get_item(self, RequestItems):
        [(table, request)] = RequestItems.items()
        assert request["ConsistentRead"] is True
        keys = request["Keys"]
        self.gets.append(keys)
        answered, unread = keys, []
        if self.unread_rounds:
            self.unread_rounds -= 1
            answered, unread = keys[:-1], keys[-1:]
        found = [self.items[k["id"]["S"]] for k in answered if k["id"]["S"] in self.items]
        return {"Responses": {table: found}, "UnprocessedKeys": {table: {"Keys": unread}}}

    def transact_write_items(self, TransactItems):
        self.transactions.append(TransactItems)


def batches(client: FakeDynamoDB, **kwargs) -> DynamoBatches:
    return DynamoBatches(client, sleep=lambda seconds: None, **kwargs)


def key(n: int) -> dict:
    return {"id": {"S": str(n)}}


def test_keys_are_read_100_per_request_and_missing_ones_are_left_out():
    client = FakeDynamoDB({str(n): {**key(n), "v": {"N": "1"}} for n in range(0, 250, 2)})
    found = batches(client).get_all("t", [key(n) for n in range(250)])
    assert sorted(len(keys) for keys in client.gets) == [50, 100, 100]
    assert len(found) == 125


def test_keys_left_unread_are_asked_again():
    client = FakeDynamoDB({"1": key(1), "2": key(2)}, unread_rounds=2)
    assert len(batches(client).get_all("t", [key(1), key(2)])) == 2
    assert [len(keys) for keys in client.gets] == [2, 1, 1]


def test_keys_still_unread_after_every_attempt_fail_transiently():
    client = FakeDynamoDB({"1": key(1)}, unread_rounds=10)
    with pytest.raises(TransientAwsError, match="unread"):
        batches(client, max_attempts=3).get_all("t", [key(1)])


def test_updates_go_100_per_transaction_as_update_actions():
    client = FakeDynamoDB({})
    updates = [Update(key(n), "ADD s :v", {":v": {"SS": ["x"]}}) for n in range(150)]
    batches(client).update_all("t", updates)
    assert sorted(len(actions) for actions in client.transactions) == [50, 100]
    first = client.transactions[0][0]["Update"]
    assert first["TableName"] == "t" and first["UpdateExpression"] == "ADD s :v"


def cancelled(*codes: str) -> ClientError:
    response = {
        "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
        "CancellationReasons": [{"Code": code} for code in codes],
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    return ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


def test_a_transaction_cancelled_by_a_concurrent_one_is_sent_again():
    assert is_transient(cancelled("None", "TransactionConflict", "None"))


def test_a_transaction_cancelled_by_its_own_condition_or_input_is_not():
    assert not is_transient(cancelled("TransactionConflict", "ConditionalCheckFailed"))
    assert not is_transient(cancelled("ValidationError"))
    assert not is_transient(cancelled("None"))
