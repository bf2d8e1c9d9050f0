"""Pulumi mocks that record every resource the program registers, with ARNs built like AWS's.

The ARNs follow from names alone (`arn(kind, name)`), so a test can say which ARN a topology name
must have been granted on without reading it back from the program.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pulumi

from tests.pulumi import tokens

ACCOUNT_ID = "123456789012"
REGION = "eu-central-1"
PARTITION = "aws"

_ARN_FORMATS = {
    tokens.TOPIC: "arn:aws:sns:{region}:{account}:{name}",
    tokens.QUEUE: "arn:aws:sqs:{region}:{account}:{name}",
    tokens.BUCKET: "arn:aws:s3:::{name}",
    tokens.TABLE: "arn:aws:dynamodb:{region}:{account}:table/{name}",
    tokens.KEY: "arn:aws:kms:{region}:{account}:key/{name}",
    tokens.LOG_GROUP: "arn:aws:logs:{region}:{account}:log-group:{name}",
    tokens.ROLE: "arn:aws:iam::{account}:role/{name}",
    tokens.FUNCTION: "arn:aws:lambda:{region}:{account}:function:{name}",
    tokens.LAYER: "arn:aws:lambda:{region}:{account}:layer:{name}:1",
}
_INVOKES = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/deployer",
        "id": ACCOUNT_ID,
        "userId": "AIDEXAMPLE",
    },
    "aws:index/getPartition:getPartition": {
        "partition": PARTITION,
        "dnsSuffix": "amazonaws.com",
        "id": PARTITION,
        "reverseDnsPrefix": "com.amazonaws",
    },
    "aws:index/getRegion:getRegion": {"region": REGION, "name": REGION, "id": REGION},
}


def arn(type_token: str, name: str) -> str:
    return _ARN_FORMATS[type_token].format(region=REGION, account=ACCOUNT_ID, name=name)


def api_endpoint(name: str) -> str:
    return f"https://{name}.execute-api.{REGION}.amazonaws.com"


def distribution_domain(name: str) -> str:
    return f"{name}.cloudfront.net"


@dataclass(frozen=True)
class Recorded:
    """One registered resource: its type token, logical name and resolved inputs (camelCase)."""

    type: str
    name: str
    inputs: dict[str, Any]


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[Recorded] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(Recorded(args.typ, args.name, dict(args.inputs)))
        physical = args.inputs.get("name") or args.inputs.get("bucket") or args.name
        outputs = dict(args.inputs)
        if args.typ in _ARN_FORMATS:
            outputs["arn"] = arn(args.typ, physical)
        if args.typ == tokens.QUEUE:
            outputs["url"] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{physical}"
        if args.typ == tokens.KEY:
            outputs["keyId"] = physical
        if args.typ == tokens.API:
            outputs["apiEndpoint"] = api_endpoint(physical)
        if args.typ == tokens.DISTRIBUTION:
            outputs["domainName"] = distribution_domain(physical)
        # AWS uses the name as the id of buckets, tables, roles and log groups.
        return physical, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return _INVOKES[args.token]


class Resources:
    """The recorded resources, queried by type."""

    def __init__(self, recorded: list[Recorded]) -> None:
        self.all = tuple(recorded)

    def __iter__(self) -> Iterator[Recorded]:
        return iter(self.all)

    def of_type(self, type_token: str) -> list[Recorded]:
        return [resource for resource in self.all if resource.type == type_token]

    def named(self, type_token: str, physical_name: str) -> Recorded:
        matches = [r for r in self.of_type(type_token) if r.inputs.get("name") == physical_name]
        assert len(matches) == 1, f"expected one {type_token} named {physical_name}"
        return matches[0]

    def for_bucket(self, type_token: str, bucket: str) -> list[Recorded]:
        return [r for r in self.of_type(type_token) if r.inputs.get("bucket") == bucket]
