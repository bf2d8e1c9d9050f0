"""Every service keys its idempotency records `<service>:…`, the prefix its role is confined to in
the shared table (`dynamodb:LeadingKeys`, pulumi/ior_stack/iam.py): under that policy a key of
another shape would be refused, and the service could not process anything."""

import json

import pytest

from contracts.envelope import new_envelope
from contracts.events import AlertRaisedV1, Severity
from contracts.topology import BUCKET_RAW, TOPOLOGY
from services.runtime.context import load_app
from services.runtime.messaging.messages import InboundMessage
from services.runtime.messaging.publisher import message_attributes

pytestmark = pytest.mark.integration
EVENT_DRIVEN = [service.name for service in TOPOLOGY.services if service.name != "ingestion"]


def test_every_topology_service_is_covered_here():
    assert {*EVENT_DRIVEN, "ingestion"} == {service.name for service in TOPOLOGY.services}


@pytest.mark.parametrize("service", EVENT_DRIVEN)
def test_an_event_driven_service_keys_its_work_by_its_own_name(context, service):
    data = AlertRaisedV1(severity=Severity.INFO, service="test", title="t", detail="d")
    envelope = new_envelope(data, source="ior.test", subject="s", correlationid="c", cause="k")
    attributes = {k: v["StringValue"] for k, v in message_attributes(envelope).items()}

    (work,) = load_app(service, context).decode(InboundMessage("m", envelope.to_json(), attributes))

    assert work.key.startswith(f"{service}:")


def test_ingestion_keys_its_work_by_its_own_name(context):
    key = "sap/ZEMM006/2026/11/22/ZEMM006-20261122-0001.json"
    context.blobs.put(BUCKET_RAW, key, b"{}", content_type="application/json")
    notification = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "eventTime": "2026-11-22T02:00:00Z",
                "s3": {"bucket": {"name": BUCKET_RAW}, "object": {"key": key, "size": 2}},
            }
        ]
    }

    (work,) = load_app("ingestion", context).decode(
        InboundMessage("m", json.dumps(notification), {})
    )

    assert work.key.startswith("ingestion:")
