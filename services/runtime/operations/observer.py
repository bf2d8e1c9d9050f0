"""A temporary queue subscribed to every topic, so a command can watch the chain's events.

Used by `ior demo` to report what happened; it is created and removed by the command, and is not
part of the topology (it serves a person at a terminal, not a service).
"""

from __future__ import annotations

import json
import uuid
from types import TracebackType

from contracts.envelope import Envelope
from contracts.topology import TOPOLOGY
from services.runtime.aws.clients import AwsClients
from services.runtime.aws.names import NameResolver


class EventObserver:
    def __init__(self, clients: AwsClients, names: NameResolver) -> None:
        self._clients = clients
        self._names = names
        self._name = f"ior-observer-{uuid.uuid4().hex[:8]}"
        self._queue_url = ""
        self._subscriptions: list[str] = []
        self.events: list[Envelope] = []

    def __enter__(self) -> EventObserver:
        sqs, sns = self._clients.sqs, self._clients.sns
        self._queue_url = sqs.create_queue(QueueName=self._name)["QueueUrl"]
        queue_arn = self._names.queue_arn(self._name)
        topic_arns = [self._names.topic_arn(topic.name) for topic in TOPOLOGY.topics]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arns}},
                }
            ],
        }
        sqs.set_queue_attributes(
            QueueUrl=self._queue_url, Attributes={"Policy": json.dumps(policy)}
        )
        for topic_arn in topic_arns:
            response = sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=queue_arn,
                Attributes={"RawMessageDelivery": "true"},
                ReturnSubscriptionArn=True,
            )
            self._subscriptions.append(response["SubscriptionArn"])
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for arn in self._subscriptions:
            self._clients.sns.unsubscribe(SubscriptionArn=arn)
        self._clients.sqs.delete_queue(QueueUrl=self._queue_url)

    def collect(self, wait_seconds: int = 1) -> list[Envelope]:
        """Every event published since the last call (waits up to `wait_seconds` for the first)."""
        new: list[Envelope] = []
        while True:
            response = self._clients.sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0 if new else wait_seconds,
            )
            messages = response.get("Messages", [])
            if not messages:
                break
            for message in messages:
                new.append(Envelope.from_json(message["Body"]))
                self._clients.sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        self.events += new
        return new
