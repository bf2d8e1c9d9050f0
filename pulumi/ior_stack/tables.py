"""DynamoDB tables: on demand, point-in-time recovery, deletion protection, encrypted with the
stack key, string keys."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from contracts.topology import Table, Topology
from ior_stack.tags import Tagger

STRING = "S"


def create_tables(
    topology: Topology, *, key_arn: pulumi.Output[str], tagger: Tagger
) -> dict[str, aws.dynamodb.Table]:
    return {table.name: _table(table, key_arn, tagger) for table in topology.tables}


def _table(table: Table, key_arn: pulumi.Output[str], tagger: Tagger) -> aws.dynamodb.Table:
    return aws.dynamodb.Table(
        table.name,
        name=table.name,
        billing_mode="PAY_PER_REQUEST",
        hash_key=table.partition_key,
        range_key=table.sort_key,
        attributes=[
            aws.dynamodb.TableAttributeArgs(name=name, type=STRING) for name in table.key_attributes
        ],
        global_secondary_indexes=[
            aws.dynamodb.TableGlobalSecondaryIndexArgs(
                name=index.name,
                projection_type="ALL",
                key_schemas=_key_schema(index.partition_key, index.sort_key),
            )
            for index in table.indexes
        ],
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
        # A `pulumi destroy` or a stray DeleteTable must not take the audit index or the
        # reference snapshots with it; switching this off is a deliberate change of its own.
        deletion_protection_enabled=True,
        server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
            enabled=True, kms_key_arn=key_arn
        ),
        ttl=aws.dynamodb.TableTtlArgs(attribute_name=table.ttl_attribute, enabled=True)
        if table.ttl_attribute
        else None,
        tags=tagger.shared(),
    )


def _key_schema(
    partition_key: str, sort_key: str | None
) -> list[aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs]:
    schema = [
        aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(
            attribute_name=partition_key, key_type="HASH"
        )
    ]
    if sort_key:
        schema.append(
            aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(
                attribute_name=sort_key, key_type="RANGE"
            )
        )
    return schema
