"""Every topic, queue, subscription, bucket and table of ior, as plain data.

This module is the one provisioning truth: `services.runtime.operations.provision` turns it into
boto3 calls for the emulators and `pulumi/` turns it into Pulumi resources for AWS. Nothing here
performs I/O, and no resource name is typed anywhere else.

Per-service access (which queue it consumes, which topics it publishes to, which tables and bucket
prefixes it reads or writes) is data too, so the Pulumi program derives least-privilege IAM from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

PROJECT = "ior"
MAX_RECEIVE_COUNT = 3
DLQ_RETENTION_SECONDS = 14 * 24 * 3600


class Access(StrEnum):
    """How a service uses a table or a bucket prefix."""

    READ = "read"
    WRITE = "write"
    READ_WRITE = "read_write"
    # Read and remove, never write: a landing prefix whose files are moved away once read.
    READ_DELETE = "read_delete"
    # Read and add items, never replace or delete one; only the table's `mutable_attributes`
    # may be updated (an audit trail).
    APPEND = "append"


@dataclass(frozen=True)
class Topic:
    name: str
    description: str


@dataclass(frozen=True)
class Queue:
    """A service queue; it always has its own DLQ with a redrive policy."""

    name: str
    visibility_timeout_seconds: int = 120
    message_retention_seconds: int = 4 * 24 * 3600
    max_receive_count: int = MAX_RECEIVE_COUNT

    @property
    def dlq_name(self) -> str:
        return f"{self.name}-dlq"


@dataclass(frozen=True)
class Subscription:
    """An SNS topic delivering raw envelopes to a queue, filtered on the `type` attribute.

    Filtering on `type` only (never on `version`) is deliberate: a consumer must *see* a major
    version it does not know, so it can dead-letter it with reason `unsupported-version`.
    `event_types=None` subscribes to everything on the topic (the audit service).
    """

    topic: str
    queue: str
    event_types: tuple[str, ...] | None

    @property
    def filter_policy(self) -> dict[str, list[str]] | None:
        return None if self.event_types is None else {"type": list(self.event_types)}


@dataclass(frozen=True)
class LifecycleTransition:
    days: int
    storage_class: str


@dataclass(frozen=True)
class ObjectLock:
    mode: str
    retention_days: int


@dataclass(frozen=True)
class Bucket:
    name: str
    description: str
    object_lock: ObjectLock | None = None
    transitions: tuple[LifecycleTransition, ...] = ()
    expiration_days: int | None = None
    # Overwritten and deleted objects linger as noncurrent versions in a versioned bucket; this
    # removes them after so many days (None: kept, as the locked audit trail must be).
    noncurrent_expiration_days: int | None = None


@dataclass(frozen=True)
class BucketNotification:
    """S3 `ObjectCreated` events under one of `prefixes` go to `queue`."""

    bucket: str
    queue: str
    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None


@dataclass(frozen=True)
class Table:
    """A DynamoDB table; every key attribute is a string (codes keep their leading zeros)."""

    name: str
    description: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    # What a service with `Access.APPEND` may update in an item that exists (nothing else).
    mutable_attributes: tuple[str, ...] = ()

    @property
    def key_attributes(self) -> tuple[str, ...]:
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names += [index.partition_key, index.sort_key]
        return tuple(dict.fromkeys(name for name in names if name is not None))


@dataclass(frozen=True)
class BucketGrant:
    bucket: str
    prefix: str
    access: Access


@dataclass(frozen=True)
class Service:
    """One service: the queue it consumes and everything it may touch (the IAM truth)."""

    name: str
    queue: str
    publishes: tuple[str, ...]
    tables: dict[str, Access] = field(default_factory=dict)
    buckets: tuple[BucketGrant, ...] = ()


@dataclass(frozen=True)
class ApiFace:
    """A service's HTTP face (the portal's API, a Lambda behind API Gateway): it consumes no
    queue; what it may touch is data like a service's, so its IAM role is derived the same way.

    `inspects_queues`: reads the depth of every service queue and DLQ (pipeline status).
    `operates_dlqs`: peeks, replays and purges dead letters (the admin's DLQ routes).
    `presigns`: the bucket prefixes it hands out as presigned downloads (read access that the
    URL's bearer borrows from this role, so nothing beyond these prefixes).
    """

    name: str
    service: str
    publishes: tuple[str, ...]
    tables: dict[str, Access] = field(default_factory=dict)
    buckets: tuple[BucketGrant, ...] = ()
    inspects_queues: bool = False
    operates_dlqs: bool = False


@dataclass(frozen=True)
class Alarm:
    """A CloudWatch alarm the Pulumi program creates on one metric series: `dimensions` are the
    (name, value) pairs the series is emitted with, all of them (e.g. the queue; or the service and
    the event type). Each must name a metric its emitter declares (a test checks ior's own)."""

    name: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    threshold: float
    period_seconds: int
    evaluation_periods: int
    description: str


_Named = TypeVar("_Named", Topic, Queue, Table, Bucket, Service)


@dataclass(frozen=True)
class Topology:
    topics: tuple[Topic, ...]
    queues: tuple[Queue, ...]
    subscriptions: tuple[Subscription, ...]
    buckets: tuple[Bucket, ...]
    notifications: tuple[BucketNotification, ...]
    tables: tuple[Table, ...]
    services: tuple[Service, ...]
    alarms: tuple[Alarm, ...]
    api_faces: tuple[ApiFace, ...] = ()

    def queue(self, name: str) -> Queue:
        return _one(self.queues, name)

    def topic(self, name: str) -> Topic:
        return _one(self.topics, name)

    def table(self, name: str) -> Table:
        return _one(self.tables, name)

    def bucket(self, name: str) -> Bucket:
        return _one(self.buckets, name)

    def service(self, name: str) -> Service:
        return _one(self.services, name)


def _one(items: tuple[_Named, ...], name: str) -> _Named:
    for item in items:
        if item.name == name:
            return item
    raise KeyError(f"no {type(items[0]).__name__.lower()} named {name!r} in the topology")


# --- names (referenced by services through these constants, never retyped) -------------------

TOPIC_INGESTION = "ior-ingestion"
TOPIC_NORMALIZATION = "ior-normalization"
TOPIC_CUSTOMS = "ior-customs-generation"
TOPIC_COMPARISON = "ior-comparison"
TOPIC_ALERTS = "ior-alerts"
TOPIC_PORTAL = "ior-portal"

QUEUE_INGESTION = "ior-ingestion"
QUEUE_NORMALIZATION = "ior-normalization"
QUEUE_CUSTOMS = "ior-customs-generation"
QUEUE_COMPARISON = "ior-comparison"
QUEUE_AUDIT = "ior-audit"
QUEUE_PORTAL = "ior-portal"

BUCKET_RAW = "ior-raw"
BUCKET_PROCESSED = "ior-processed"
BUCKET_AUDIT = "ior-audit"
BUCKET_EVENTS = "ior-events"

TABLE_PRODUCT_MASTER = "ior-product-master"
TABLE_MATERIAL_WEIGHTS = "ior-material-weights"
TABLE_HTS_CODES = "ior-hts-codes"
TABLE_TARIFF_RULES = "ior-tariff-rules"
TABLE_PACKAGING = "ior-packaging-materials"
TABLE_CUSTOMERS = "ior-customer-master"
TABLE_PO_REFERENCE = "ior-po-reference"
TABLE_INVOICE_LINES = "ior-invoice-lines"
TABLE_INVOICE_CALCULATIONS = "ior-invoice-calculations"
TABLE_FEED_SYNC = "ior-feed-sync"
TABLE_IDEMPOTENCY = "ior-idempotency"
TABLE_AUDIT_INDEX = "ior-audit-index"
TABLE_COMPARISON_INVOICES = "ior-comparison-invoices"
TABLE_PORTAL_VIEWS = "ior-portal-views"
TABLE_PORTAL_LINES = "ior-portal-customs-lines"

# The portal's read model. Views: one item per calculation, comparison run, extract, alert and
# feed (`pk`, `sk`), each also listed by its kind in time order (`by-kind`: `kind`, `listed`).
# Customs lines: the current lines, a partition per entry date (`entry_date`, `line_key`), with
# an index per other way people look them up.
PORTAL_VIEWS_BY_KIND = "by-kind"
PORTAL_LINE_INDEXES: dict[str, str] = {
    "invoice_number": "by-invoice",
    "po_number": "by-po",
    "hts_code": "by-hts",
    "calc_id": "by-calc",
}
# The marks on a calculation's audit-index item that a later calculation replaced it.
AUDIT_SUPERSEDED_INVOICES = "superseded_invoices"
AUDIT_SUPERSEDED_BY = "superseded_by"
# How long a noncurrent version of a raw or processed object is kept (an overwritten or removed
# extract, report or workbook stays recoverable this long).
NONCURRENT_VERSION_DAYS = 30

# The weekly feeds are full snapshots (DOMAIN.md §1): each accepted extract is written into its
# table as a partition of its own (key: snapshot = extract id, row_key = the row's natural key),
# and the feed-sync stamp names the partition in force. A snapshot never changes once written, so
# a reader sees exactly one extract per feed, and a row withdrawn by SAP is simply absent from the
# next partition.
SNAPSHOT_KEY = "snapshot"
SNAPSHOT_ROW_KEY = "row_key"
SNAPSHOT_TABLES: dict[str, str] = {
    "ZEMM005": TABLE_PRODUCT_MASTER,
    "ZFMIOR002": TABLE_MATERIAL_WEIGHTS,
    "ZFMIOR003": TABLE_HTS_CODES,
    "ZEMM007": TABLE_TARIFF_RULES,
    "ZEMM006": TABLE_PACKAGING,
    "ZSDR010": TABLE_CUSTOMERS,
}

# Rows of the feed-sync table that are not feeds: the last calculation and the last comparison.
FEED_SYNC_CALC = "CALC"
FEED_SYNC_COMPARISON = "COMPARISON"

RAW_SAP_PREFIX = "sap/"
RAW_UPLOAD_PREFIX = "upload/"
RAW_QUARANTINE_PREFIX = "quarantine/"
CLAIM_CHECK_PREFIX = "claims/"

# Event types, one constant each, so subscriptions and producers cannot drift apart.
EXTRACT_ACCEPTED = "ior.extract.accepted"
EXTRACT_REJECTED = "ior.extract.rejected"
REFERENCE_UPDATED = "ior.reference.updated"
INVOICES_NORMALIZED = "ior.invoices.normalized"
DECLARED_LINES_NORMALIZED = "ior.declared-lines.normalized"
QUALITY_REPORTED = "ior.quality.reported"
CUSTOMS_LINES_GENERATED = "ior.customs-lines.generated"
COMPARISON_COMPLETED = "ior.comparison.completed"
ALERT_RAISED = "ior.alert.raised"
COMPARISON_REQUESTED = "ior.comparison.requested"

# The topic each event type is published on.
EVENT_TOPICS: dict[str, str] = {
    EXTRACT_ACCEPTED: TOPIC_INGESTION,
    EXTRACT_REJECTED: TOPIC_INGESTION,
    REFERENCE_UPDATED: TOPIC_NORMALIZATION,
    INVOICES_NORMALIZED: TOPIC_NORMALIZATION,
    DECLARED_LINES_NORMALIZED: TOPIC_NORMALIZATION,
    QUALITY_REPORTED: TOPIC_NORMALIZATION,
    CUSTOMS_LINES_GENERATED: TOPIC_CUSTOMS,
    COMPARISON_COMPLETED: TOPIC_COMPARISON,
    ALERT_RAISED: TOPIC_ALERTS,
    COMPARISON_REQUESTED: TOPIC_PORTAL,
}

_RW = Access.READ_WRITE
_R = Access.READ
_W = Access.WRITE
_SHARED = (TABLE_IDEMPOTENCY,)


def _with_shared(tables: dict[str, Access]) -> dict[str, Access]:
    """Every service records idempotency keys."""
    return {**dict.fromkeys(_SHARED, _RW), **tables}


def _claim_checks() -> BucketGrant:
    return BucketGrant(BUCKET_EVENTS, CLAIM_CHECK_PREFIX, _RW)


def _queue_alarms(queue: str) -> tuple[Alarm, ...]:
    return (
        Alarm(
            name=f"{queue}-dlq-not-empty",
            namespace="AWS/SQS",
            metric="ApproximateNumberOfMessagesVisible",
            dimensions=(("QueueName", f"{queue}-dlq"),),
            statistic="Maximum",
            threshold=0,
            period_seconds=60,
            evaluation_periods=1,
            description=f"Messages dead-lettered from {queue}: peek and replay with `ior dlq`.",
        ),
        Alarm(
            name=f"{queue}-oldest-message-age",
            namespace="AWS/SQS",
            metric="ApproximateAgeOfOldestMessage",
            dimensions=(("QueueName", queue),),
            statistic="Maximum",
            threshold=900,
            period_seconds=300,
            evaluation_periods=1,
            description=f"{queue} has a message older than 15 minutes: is its worker running?",
        ),
    )


_SERVICE_QUEUES = (
    QUEUE_INGESTION,
    QUEUE_NORMALIZATION,
    QUEUE_CUSTOMS,
    QUEUE_COMPARISON,
    QUEUE_AUDIT,
    QUEUE_PORTAL,
)

# What the portal's read model is built from.
PORTAL_EVENTS: dict[str, tuple[str, ...]] = {
    TOPIC_INGESTION: (EXTRACT_ACCEPTED, EXTRACT_REJECTED),
    TOPIC_NORMALIZATION: (REFERENCE_UPDATED, QUALITY_REPORTED),
    TOPIC_CUSTOMS: (CUSTOMS_LINES_GENERATED,),
    TOPIC_COMPARISON: (COMPARISON_COMPLETED,),
    TOPIC_ALERTS: (ALERT_RAISED,),
}

TOPOLOGY = Topology(
    topics=(
        Topic(TOPIC_INGESTION, "extract accepted / rejected"),
        Topic(TOPIC_NORMALIZATION, "reference tables, normalized invoices, quality reports"),
        Topic(TOPIC_CUSTOMS, "generated customs lines and broker workbooks"),
        Topic(TOPIC_COMPARISON, "comparison of our lines with SAP's ZSDR002"),
        Topic(TOPIC_ALERTS, "alerts for ops (email/Slack subscribers in AWS)"),
        Topic(TOPIC_PORTAL, "requests people make in the portal (re-run a comparison)"),
    ),
    queues=(
        Queue(QUEUE_INGESTION),
        Queue(QUEUE_NORMALIZATION),
        Queue(QUEUE_CUSTOMS, visibility_timeout_seconds=300),
        Queue(QUEUE_COMPARISON),
        Queue(QUEUE_AUDIT),
        Queue(QUEUE_PORTAL),
    ),
    subscriptions=(
        Subscription(TOPIC_INGESTION, QUEUE_NORMALIZATION, (EXTRACT_ACCEPTED,)),
        Subscription(TOPIC_NORMALIZATION, QUEUE_CUSTOMS, (INVOICES_NORMALIZED,)),
        Subscription(TOPIC_NORMALIZATION, QUEUE_COMPARISON, (DECLARED_LINES_NORMALIZED,)),
        Subscription(TOPIC_CUSTOMS, QUEUE_COMPARISON, (CUSTOMS_LINES_GENERATED,)),
        Subscription(TOPIC_PORTAL, QUEUE_COMPARISON, (COMPARISON_REQUESTED,)),
        *(Subscription(topic, QUEUE_PORTAL, types) for topic, types in PORTAL_EVENTS.items()),
        *(
            Subscription(topic, QUEUE_AUDIT, None)
            for topic in (
                TOPIC_INGESTION,
                TOPIC_NORMALIZATION,
                TOPIC_CUSTOMS,
                TOPIC_COMPARISON,
                TOPIC_ALERTS,
                TOPIC_PORTAL,
            )
        ),
    ),
    buckets=(
        Bucket(
            BUCKET_RAW,
            "SAP landing (sap/, upload/) and quarantine/",
            noncurrent_expiration_days=NONCURRENT_VERSION_DAYS,
        ),
        Bucket(
            BUCKET_PROCESSED,
            "accepted extracts, normalized datasets, workbooks, reports",
            noncurrent_expiration_days=NONCURRENT_VERSION_DAYS,
        ),
        Bucket(
            BUCKET_AUDIT,
            "immutable audit records",
            object_lock=ObjectLock(mode="COMPLIANCE", retention_days=2555),
            transitions=(
                LifecycleTransition(90, "GLACIER_IR"),
                LifecycleTransition(365, "GLACIER"),
                LifecycleTransition(3 * 365, "DEEP_ARCHIVE"),
            ),
        ),
        Bucket(BUCKET_EVENTS, "claim checks for large event payloads", expiration_days=14),
    ),
    notifications=(
        BucketNotification(BUCKET_RAW, QUEUE_INGESTION, (RAW_SAP_PREFIX, RAW_UPLOAD_PREFIX)),
    ),
    tables=(
        *(
            Table(table, f"{feed} snapshots ({description})", SNAPSHOT_KEY, SNAPSHOT_ROW_KEY)
            for feed, table, description in (
                ("ZEMM005", TABLE_PRODUCT_MASTER, "material master"),
                ("ZFMIOR002", TABLE_MATERIAL_WEIGHTS, "weight history per material"),
                ("ZFMIOR003", TABLE_HTS_CODES, "HTS codes with validity ranges"),
                ("ZEMM007", TABLE_TARIFF_RULES, "tariff rules"),
                ("ZEMM006", TABLE_PACKAGING, "packaging materials"),
                ("ZSDR010", TABLE_CUSTOMERS, "customer master"),
            )
        ),
        Table(TABLE_PO_REFERENCE, "invoice lines by PO", "po_number", "invoice_line"),
        Table(
            TABLE_INVOICE_LINES,
            "every accepted version of every ZEMM004 line, by invoice (the latest stands)",
            "invoice_number",
            "version",
        ),
        Table(
            TABLE_INVOICE_CALCULATIONS,
            "the current calculation of each invoice",
            "invoice_number",
        ),
        Table(TABLE_FEED_SYNC, "last SAP sync per feed", "feed"),
        Table(TABLE_IDEMPOTENCY, "idempotency records", "key", ttl_attribute="expires_at"),
        Table(
            TABLE_COMPARISON_INVOICES,
            "SAP's declaration of each invoice and the calculations awaiting one",
            "invoice_number",
            "kind",
        ),
        Table(
            TABLE_AUDIT_INDEX,
            "audit records by CALC-ID, PO number and file name",
            "pk",
            "sk",
            indexes=(
                Index("by-po", "po_number", "sk"),
                Index("by-file", "file_name", "sk"),
            ),
            mutable_attributes=(AUDIT_SUPERSEDED_INVOICES, AUDIT_SUPERSEDED_BY),
        ),
        Table(
            TABLE_PORTAL_VIEWS,
            "portal read model: calculations, comparisons, extracts, alerts, feeds",
            "pk",
            "sk",
            indexes=(Index(PORTAL_VIEWS_BY_KIND, "kind", "listed"),),
        ),
        Table(
            TABLE_PORTAL_LINES,
            "portal read model: current customs lines by entry date",
            "entry_date",
            "line_key",
            indexes=tuple(
                Index(name, attribute, "line_key")
                for attribute, name in PORTAL_LINE_INDEXES.items()
            ),
        ),
    ),
    services=(
        Service(
            "ingestion",
            QUEUE_INGESTION,
            publishes=(TOPIC_INGESTION, TOPIC_ALERTS),
            tables=_with_shared({}),
            buckets=(
                # read, and delete when a file is moved whole to quarantine/ (never written:
                # SAP and `ior push`/`ior upload` land files, ingestion only takes them)
                BucketGrant(BUCKET_RAW, RAW_SAP_PREFIX, Access.READ_DELETE),
                BucketGrant(BUCKET_RAW, RAW_UPLOAD_PREFIX, Access.READ_DELETE),
                BucketGrant(BUCKET_RAW, RAW_QUARANTINE_PREFIX, _W),
                BucketGrant(BUCKET_PROCESSED, "extracts/", _W),
                _claim_checks(),
            ),
        ),
        Service(
            "normalization",
            QUEUE_NORMALIZATION,
            publishes=(TOPIC_NORMALIZATION, TOPIC_ALERTS),
            tables=_with_shared(
                {
                    **dict.fromkeys(SNAPSHOT_TABLES.values(), _RW),
                    TABLE_PO_REFERENCE: _RW,
                    TABLE_INVOICE_LINES: _RW,
                    TABLE_FEED_SYNC: _RW,
                }
            ),
            buckets=(
                BucketGrant(BUCKET_PROCESSED, "extracts/", _R),
                BucketGrant(BUCKET_PROCESSED, "normalized/", _W),
                BucketGrant(BUCKET_PROCESSED, "quality/", _W),
                _claim_checks(),
            ),
        ),
        Service(
            "customs_generation",
            QUEUE_CUSTOMS,
            publishes=(TOPIC_CUSTOMS, TOPIC_ALERTS),
            tables=_with_shared(
                {
                    TABLE_PRODUCT_MASTER: _R,
                    TABLE_MATERIAL_WEIGHTS: _R,
                    TABLE_HTS_CODES: _R,
                    TABLE_TARIFF_RULES: _R,
                    TABLE_PACKAGING: _R,
                    TABLE_FEED_SYNC: _R,
                    TABLE_INVOICE_LINES: _R,
                    TABLE_INVOICE_CALCULATIONS: _RW,
                }
            ),
            buckets=(
                BucketGrant(BUCKET_PROCESSED, "normalized/", _R),
                BucketGrant(BUCKET_PROCESSED, "customs-lines/", _W),
                BucketGrant(BUCKET_PROCESSED, "workbooks/", _W),
                _claim_checks(),
            ),
        ),
        Service(
            "comparison",
            QUEUE_COMPARISON,
            publishes=(TOPIC_COMPARISON, TOPIC_ALERTS),
            tables=_with_shared({TABLE_COMPARISON_INVOICES: _RW, TABLE_FEED_SYNC: _W}),
            buckets=(
                BucketGrant(BUCKET_PROCESSED, "normalized/", _R),
                BucketGrant(BUCKET_PROCESSED, "customs-lines/", _R),
                BucketGrant(BUCKET_PROCESSED, "comparisons/", _RW),
                _claim_checks(),
            ),
        ),
        Service(
            "audit",
            QUEUE_AUDIT,
            publishes=(),
            tables=_with_shared({TABLE_AUDIT_INDEX: Access.APPEND, TABLE_FEED_SYNC: _W}),
            buckets=(
                BucketGrant(BUCKET_AUDIT, "", _W),
                # a redelivered event finds its object written: which version holds it
                BucketGrant(BUCKET_AUDIT, "", _R),
                BucketGrant(BUCKET_PROCESSED, "customs-lines/", _R),
                _claim_checks(),
            ),
        ),
        Service(
            "portal",
            QUEUE_PORTAL,
            publishes=(),
            tables=_with_shared({TABLE_PORTAL_VIEWS: _RW, TABLE_PORTAL_LINES: _RW}),
            buckets=(
                BucketGrant(BUCKET_PROCESSED, "customs-lines/", _R),
                # `ior portal rebuild` reads the audited events
                BucketGrant(BUCKET_AUDIT, "events/", _R),
                _claim_checks(),
            ),
        ),
    ),
    api_faces=(
        ApiFace(
            "portal_api",
            "portal",
            publishes=(TOPIC_PORTAL,),
            tables={
                TABLE_PORTAL_VIEWS: _R,
                TABLE_PORTAL_LINES: _R,
                TABLE_AUDIT_INDEX: _R,
                TABLE_FEED_SYNC: _R,
            },
            buckets=(
                # downloads (presigned) and the reports the API shows
                BucketGrant(BUCKET_PROCESSED, "customs-lines/", _R),
                BucketGrant(BUCKET_PROCESSED, "workbooks/", _R),
                BucketGrant(BUCKET_PROCESSED, "comparisons/", _R),
                BucketGrant(BUCKET_PROCESSED, "quality/", _R),
                BucketGrant(BUCKET_RAW, RAW_QUARANTINE_PREFIX, _R),
                # manual uploads, and nothing else of the landing area
                BucketGrant(BUCKET_RAW, RAW_UPLOAD_PREFIX, _W),
                _claim_checks(),
            ),
            inspects_queues=True,
            operates_dlqs=True,
        ),
    ),
    alarms=(
        *(alarm for queue in _SERVICE_QUEUES for alarm in _queue_alarms(queue)),
        Alarm(
            name="ior-comparison-failures",
            namespace="ior",
            # The comparison raises an alert exactly when it finds differences it has not
            # alerted before; the runtime counts every event a service publishes, by type.
            metric="Published",
            dimensions=(("service", "comparison"), ("type", ALERT_RAISED)),
            statistic="Sum",
            threshold=0,
            period_seconds=300,
            evaluation_periods=1,
            description=(
                "Our customs lines differ from SAP's ZSDR002 (the comparison raised an alert): "
                "read the comparison report."
            ),
        ),
    ),
)
