import json
from datetime import UTC, datetime

import pytest

from contracts.envelope import Envelope, event_id, new_envelope
from contracts.errors import MalformedEvent, UnknownEventType, UnsupportedEventVersion
from contracts.events import EVENT_MODELS, AlertRaisedV1, Severity, parse_event
from contracts.schema_export import SCHEMA_DIR, expected_schemas, render
from contracts.topology import EVENT_TOPICS, TOPOLOGY


def alert() -> AlertRaisedV1:
    return AlertRaisedV1(severity=Severity.ERROR, service="ingestion", title="t", detail="d")


def envelope(**overrides: object) -> Envelope:
    env = new_envelope(alert(), source="ior.ingestion", subject="s", correlationid="c", cause="x")
    return env.model_copy(update=overrides)


def test_checked_in_schemas_match_the_models():
    stale = [
        name
        for name, schema in expected_schemas().items()
        if not (SCHEMA_DIR / name).is_file()
        or (SCHEMA_DIR / name).read_text(encoding="utf-8") != render(schema)
    ]
    assert stale == [], f"run `python -m contracts.schema_export`; stale: {stale}"


def test_envelope_round_trips_through_json():
    original = envelope()
    assert Envelope.from_json(original.to_json()) == original


def test_envelope_carries_cloudevents_attributes_and_extensions():
    body = json.loads(envelope().to_json())
    assert body["specversion"] == "1.0"
    assert body["type"] == "ior.alert.raised"
    assert body["version"] == 1
    assert body["dataschema"] == "urn:ior:schema:ior.alert.raised:v1"
    assert {"id", "source", "time", "subject", "correlationid", "data"} <= set(body)


def test_event_id_is_deterministic_per_cause_and_type():
    assert event_id("ior.a", "cause", "t") == event_id("ior.a", "cause", "t")
    assert event_id("ior.a", "cause", "t") != event_id("ior.a", "other", "t")


def test_unknown_major_version_is_unsupported_not_a_crash():
    with pytest.raises(UnsupportedEventVersion) as caught:
        parse_event(envelope(version=2))
    assert caught.value.error_type == "unsupported-version"


def test_unknown_event_type_is_named():
    with pytest.raises(UnknownEventType):
        parse_event(envelope(type="ior.nothing.happened"))


def test_consumer_ignores_unknown_fields():
    data = {**alert().model_dump(mode="json"), "added_in_v1_1": "ignored"}
    assert parse_event(envelope(data=data)) == alert()


def test_data_breaking_its_model_is_malformed():
    with pytest.raises(MalformedEvent):
        parse_event(envelope(data={"severity": "catastrophic"}))


def test_body_that_is_not_an_envelope_is_malformed():
    with pytest.raises(MalformedEvent):
        Envelope.from_json(b'{"hello": "world"}')


def test_every_event_type_has_a_topic():
    assert {model.TYPE for model in EVENT_MODELS} == set(EVENT_TOPICS)


def test_every_service_queue_and_topic_exists_in_the_topology():
    queues = {queue.name for queue in TOPOLOGY.queues}
    topics = {topic.name for topic in TOPOLOGY.topics}
    for service in TOPOLOGY.services:
        assert service.queue in queues
        assert set(service.publishes) <= topics
    for sub in TOPOLOGY.subscriptions:
        assert sub.queue in queues and sub.topic in topics


def test_subscriptions_filter_on_type_never_on_version():
    for sub in TOPOLOGY.subscriptions:
        assert sub.filter_policy is None or set(sub.filter_policy) == {"type"}


def test_envelope_time_is_utc_aware():
    assert envelope(time=datetime(2026, 1, 1, tzinfo=UTC)).time.tzinfo is not None
