"""Every S3 call of the blob store and of the audit service names this account as the bucket's
expected owner, so a same-named bucket in another account is refused by S3 (AWS, LocalStack),
never read or written. The emulator does not check the owner, so the calls are what is checked."""

import pytest

from contracts.events import parse_event
from contracts.topology import BUCKET_AUDIT, BUCKET_RAW
from services.runtime.context import load_app
from services.runtime.messaging.messages import ConsumedEvent
from tests.integration.test_audit import calculation_event, deliver

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_calls(context):
    calls: list[tuple[str, dict]] = []
    context.clients.s3.meta.events.register(
        "provide-client-params.s3", lambda params, model, **_: calls.append((model.name, params))
    )
    return calls


def account(context) -> str:
    return context.clients.sts.get_caller_identity()["Account"]


def test_blob_store_calls_name_the_account_as_bucket_owner(context, s3_calls):
    blobs = context.blobs
    blobs.put(BUCKET_RAW, "sap/ZEMM006/x.json", b"{}", content_type="application/json")
    blobs.size(BUCKET_RAW, "sap/ZEMM006/x.json")
    blobs.get(BUCKET_RAW, "sap/ZEMM006/x.json")
    blobs.sha256_of(BUCKET_RAW, "sap/ZEMM006/x.json")
    blobs.copy(BUCKET_RAW, "sap/ZEMM006/x.json", BUCKET_RAW, "quarantine/ZEMM006/x.json")
    blobs.delete(BUCKET_RAW, "sap/ZEMM006/x.json")

    names = [name for name, _ in s3_calls]
    assert names == [
        "PutObject",
        "HeadObject",
        "GetObject",
        "GetObject",
        "CopyObject",
        "DeleteObject",
    ]
    assert {params["ExpectedBucketOwner"] for _, params in s3_calls} == {account(context)}
    (copy,) = [params for name, params in s3_calls if name == "CopyObject"]
    assert copy["ExpectedSourceBucketOwner"] == account(context)


def test_audit_writes_and_finds_its_objects_in_this_accounts_bucket(context, s3_calls):
    envelope = calculation_event(context)
    s3_calls.clear()
    deliver(context, envelope)
    handler = load_app("audit", context).handlers[envelope.type]
    handler(ConsumedEvent(envelope, parse_event(envelope)))  # past idempotency: finds versions

    on_audit = {name for name, params in s3_calls if params["Bucket"] == BUCKET_AUDIT}
    assert on_audit == {"PutObject", "HeadObject"}
    assert {params["ExpectedBucketOwner"] for _, params in s3_calls} == {account(context)}
