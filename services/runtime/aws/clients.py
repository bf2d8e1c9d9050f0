"""AWS clients built from the settings, created once and injected; never at import time.

Every client ior makes, synchronous (boto3) or asynchronous (aiobotocore), takes its keyword
arguments from `client_kwargs`, so both kinds get the same endpoint, region and retry policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from aiobotocore.session import get_session
from botocore.config import Config

from services.runtime.settings import Settings

if TYPE_CHECKING:
    from aiobotocore.session import ClientCreatorContext
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient

# The one retry layer for transient AWS errors: botocore's "standard" mode retries throttling
# codes, 500/502/503/504 answers and dropped, refused or timed-out connections, with exponential
# backoff and jitter, at most MAX_ATTEMPTS attempts per call in all (the first included). Nothing
# in ior retries such a call again: when the last attempt fails the error reaches the message
# processor, which puts the message back for later without spending its receives (`deferrals`).
# Three attempts (botocore's default) ride out a blip; an outage is waited out at the message
# level, where no worker thread sleeps. "adaptive" mode is not used, even for DynamoDB's bulk
# writes: its rate limiter lives in the client, and the one DynamoDB client of a process serves
# every table and every service, so one throttled table would slow all of them.
MAX_ATTEMPTS = 3
_BOTO_CONFIG = Config(
    # `total_max_attempts` counts the first attempt; botocore's `max_attempts` would not.
    retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    max_pool_connections=32,
)
_SERVICE_CONFIG = {
    "s3": Config(s3={"addressing_style": "path"}),
    # Botocore's client-side validation walks every nested attribute value of a request: ~0.8 s
    # of CPU for the 400 BatchWriteItem of a 10,000-line batch. The typed stubs check our calls
    # statically, and DynamoDB rejects a malformed request itself (ValidationException).
    "dynamodb": Config(parameter_validation=False),
}


def client_kwargs(settings: Settings, service: str) -> dict[str, Any]:
    """Region, endpoint and configuration (retry policy included) of one service's client."""
    own = _SERVICE_CONFIG.get(service)
    kwargs: dict[str, Any] = {
        "region_name": settings.region,
        "config": _BOTO_CONFIG.merge(own) if own else _BOTO_CONFIG,
    }
    endpoint = settings.endpoint_for(service)
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    return kwargs


def async_client(settings: Settings, service: str) -> ClientCreatorContext:
    """An aiobotocore client (`async with async_client(settings, "sqs") as sqs:`)."""
    return get_session().create_client(service, **client_kwargs(settings, service))


@dataclass(frozen=True)
class AwsClients:
    """The synchronous clients a service edge needs (thread-safe, shared by worker threads)."""

    s3: S3Client
    sqs: SQSClient
    sns: SNSClient
    dynamodb: DynamoDBClient
    sts: STSClient

    @classmethod
    def from_settings(cls, settings: Settings) -> AwsClients:
        session = boto3.session.Session()

        def make(name: str) -> Any:
            return session.client(name, **client_kwargs(settings, name))  # type: ignore[call-overload]

        return cls(
            s3=make("s3"),
            sqs=make("sqs"),
            sns=make("sns"),
            dynamodb=make("dynamodb"),
            sts=make("sts"),
        )
