"""Publishes envelopes on their topics, with the `type`/`version` attributes to filter on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import structlog

from contracts.envelope import Envelope
from contracts.topology import EVENT_TOPICS
from services.runtime.aws.names import NameResolver
from services.runtime.errors import TransientAwsError
from services.runtime.messaging.claimcheck import ClaimCheckStore

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import (
        MessageAttributeValueTypeDef,
        PublishBatchRequestEntryTypeDef,
    )

log = structlog.get_logger("ior.publisher")
_SNS_BATCH = 10


def message_attributes(envelope: Envelope) -> dict[str, MessageAttributeValueTypeDef]:
    return {
        "type": {"DataType": "String", "StringValue": envelope.type},
        "version": {"DataType": "Number", "StringValue": str(envelope.version)},
        "correlationid": {"DataType": "String", "StringValue": envelope.correlationid},
    }


class Publisher:
    def __init__(self, sns: SNSClient, names: NameResolver, claim_checks: ClaimCheckStore) -> None:
        self._sns = sns
        self._names = names
        self._claim_checks = claim_checks

    def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Publish every envelope, batched per topic (10 per request)."""
        by_topic: dict[str, list[Envelope]] = defaultdict(list)
        for envelope in envelopes:
            by_topic[EVENT_TOPICS[envelope.type]].append(envelope)
        for topic, batch in by_topic.items():
            for start in range(0, len(batch), _SNS_BATCH):
                self._publish_batch(topic, batch[start : start + _SNS_BATCH])

    def _publish_batch(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        entries: list[PublishBatchRequestEntryTypeDef] = []
        for index, envelope in enumerate(envelopes):
            travelling = self._claim_checks.check_in(envelope)
            entries.append(
                {
                    "Id": str(index),
                    "Message": travelling.to_json(),
                    "MessageAttributes": message_attributes(envelope),
                }
            )
        response = self._sns.publish_batch(
            TopicArn=self._names.topic_arn(topic), PublishBatchRequestEntries=entries
        )
        failed = response.get("Failed", [])
        if failed:
            raise TransientAwsError(f"SNS refused {len(failed)} of {len(entries)}: {failed[0]}")
        for envelope in envelopes:
            log.info("event.published", type=envelope.type, event_id=envelope.id, topic=topic)
