"""Where the stack deploys: account, partition and region, read from the provider once."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class Account:
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: pulumi.Output[str]

    @classmethod
    def current(cls) -> Account:
        return cls(
            account_id=aws.get_caller_identity_output().account_id,
            partition=aws.get_partition_output().partition,
            region=aws.get_region_output().region,
        )

    def arn(self, service: str, resource: str) -> pulumi.Output[str]:
        """The ARN of a regional resource known by name before the resource exists."""
        return pulumi.Output.format(
            "arn:{0}:{1}:{2}:{3}:{4}",
            self.partition,
            service,
            self.region,
            self.account_id,
            resource,
        )

    def bucket_arn(self, bucket: str) -> pulumi.Output[str]:
        return pulumi.Output.format("arn:{0}:s3:::{1}", self.partition, bucket)

    def role_arn(self, role: str) -> pulumi.Output[str]:
        """The ARN of a role known by name, for policies written before the role exists."""
        return pulumi.Output.format(
            "arn:{0}:iam::{1}:role/{2}", self.partition, self.account_id, role
        )

    def root_arn(self) -> pulumi.Output[str]:
        """The account itself as a principal: what IAM policies in the account may delegate from."""
        return pulumi.Output.format("arn:{0}:iam::{1}:root", self.partition, self.account_id)
