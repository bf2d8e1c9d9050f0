import os

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from contracts.topology import TOPOLOGY
from services.runtime.aws.retries import is_transient, transaction_retry
from services.runtime.errors import SettingsError
from services.runtime.messaging.deferrals import transient_delay_seconds
from services.runtime.messaging.worker import retry_delay_seconds
from services.runtime.metrics import outcome_record, published_records
from services.runtime.operations.provision import plan
from services.runtime.settings import Settings


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Op",
    )


@pytest.mark.parametrize(
    "exc",
    [
        client_error("ThrottlingException"),
        client_error("ProvisionedThroughputExceededException"),
        client_error("Whatever", 503),
        EndpointConnectionError(endpoint_url="http://x"),
    ],
)
def test_throttling_5xx_and_connection_errors_are_transient(exc):
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc", [client_error("AccessDenied", 403), client_error("NoSuchKey", 404), ValueError("x")]
)
def test_permanent_errors_are_not_retried(exc):
    assert not is_transient(exc)


def transaction_cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


def counting(failures: list[ClientError]):
    calls = []

    @transaction_retry
    def transact() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    return transact, calls


def test_a_transaction_cancelled_by_a_concurrent_one_is_sent_again_until_it_passes():
    transact, calls = counting([transaction_cancelled("None", "TransactionConflict")] * 2)
    assert transact() == "ok" and len(calls) == 3


@pytest.mark.parametrize(
    "error",
    [
        transaction_cancelled("ConditionalCheckFailed"),
        # botocore's standard mode has already retried these: sending them again multiplies.
        client_error("ThrottlingException"),
        client_error("InternalServerError", 500),
    ],
    ids=["condition", "throttling", "server-error"],
)
def test_transaction_retry_leaves_every_other_error_to_botocore_or_the_caller(error):
    transact, calls = counting([error])
    with pytest.raises(ClientError):
        transact()
    assert len(calls) == 1


def environment(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Exactly these ior and AWS endpoint/region variables in the environment."""
    for name in list(os.environ):
        if name.startswith(("IOR_", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION")):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def test_settings_honour_standard_aws_endpoint_variables(monkeypatch):
    environment(
        monkeypatch,
        AWS_ENDPOINT_URL="http://localhost:4566",
        AWS_ENDPOINT_URL_DYNAMODB="http://localhost:8000",
        AWS_DEFAULT_REGION="eu-west-1",
    )
    settings = Settings.from_env()
    assert settings.endpoint_for("sqs") == "http://localhost:4566"
    assert settings.endpoint_for("dynamodb") == "http://localhost:8000"
    assert settings.region == "eu-west-1"


def test_service_specific_endpoint_survives_an_explicit_endpoint(monkeypatch):
    environment(monkeypatch, AWS_ENDPOINT_URL_DYNAMODB="http://localhost:8000")
    local = Settings.from_env().with_endpoint("http://localhost:4566")
    assert local.endpoint_for("dynamodb") == "http://localhost:8000"
    assert local.endpoint_for("s3") == "http://localhost:4566"


def test_the_embedded_emulator_takes_every_call_even_with_dynamodb_local_in_the_shell(
    monkeypatch,
):
    environment(monkeypatch, AWS_ENDPOINT_URL_DYNAMODB="http://localhost:8000")
    embedded = Settings.from_env().on_emulator("http://127.0.0.1:5000")
    assert (
        embedded.endpoint_for("dynamodb") == embedded.endpoint_for("s3") == "http://127.0.0.1:5000"
    )


def test_endpoints_pass_to_another_process_as_the_variables_they_came_from(monkeypatch):
    env = {
        "AWS_ENDPOINT_URL": "http://localhost:4566",
        "AWS_ENDPOINT_URL_DYNAMODB": "http://x:8000",
    }
    environment(monkeypatch, **env)
    settings = Settings.from_env()
    assert settings.endpoint_environment() == env
    environment(monkeypatch, **settings.endpoint_environment())
    assert Settings.from_env() == settings


def test_empty_variables_count_as_unset(monkeypatch):
    environment(monkeypatch, AWS_REGION="", AWS_ENDPOINT_URL="", IOR_WORKER_CONCURRENCY="")
    settings = Settings.from_env()
    assert (settings.region, settings.endpoint_url, settings.worker_concurrency) == (
        "us-east-1",
        None,
        4,
    )


def test_log_level_is_read_in_any_case(monkeypatch):
    environment(monkeypatch, IOR_LOG_LEVEL="debug")
    assert Settings.from_env().level() == "DEBUG"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("IOR_MAX_FILE_BYTES", "fifty", "valid integer"),
        ("IOR_LOG_LEVEL", "verbose", "'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'"),
        ("IOR_WORKER_CONCURRENCY", "0", "greater than or equal to 1"),
        ("IOR_RECEIVE_WAIT_SECONDS", "30", "less than or equal to 20"),
        ("IOR_CLAIM_CHECK_THRESHOLD_BYTES", "300000", "less than or equal to 262144"),
        ("IOR_CLAIM_LEASE_SECONDS", "10", "at least twice IOR_VISIBILITY_HEARTBEAT_SECONDS=30"),
        ("IOR_TRANSIENT_RETRY_BUDGET_SECONDS", "-1", "greater than or equal to 0"),
    ],
)
def test_settings_reject_a_value_out_of_range_in_one_line_naming_the_variable(
    monkeypatch, variable, value, says
):
    environment(monkeypatch, **{variable: value})
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    message = str(raised.value)
    assert message.startswith(f"{variable}=") and says in message
    assert "\n" not in message


def test_retry_delay_grows_exponentially_and_is_capped():
    assert [retry_delay_seconds(n) for n in (1, 2, 3)] == [2, 4, 8]
    assert retry_delay_seconds(30) == 300


def test_plan_gives_every_queue_a_dlq_with_max_receive_count_3():
    queues = {r.name: dict(r.attributes) for r in plan() if r.kind == "sqs_queue"}
    for queue in TOPOLOGY.queues:
        assert queues[queue.name]["dead_letter_queue"] == queue.dlq_name
        assert queues[queue.name]["max_receive_count"] == "3"
        assert queue.dlq_name in queues


def test_plan_notifies_ingestion_for_sap_and_upload_prefixes():
    notes = {r.name for r in plan() if r.kind == "s3_notification"}
    assert notes == {"ior-raw/sap/->ior-ingestion", "ior-raw/upload/->ior-ingestion"}


def test_outcome_record_declares_its_metrics_per_type_and_per_service():
    record = outcome_record("ingestion", "s3:ObjectCreated", "done", 0.25)
    [directive] = record["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["service", "type"], ["service"]]
    assert {m["Name"] for m in directive["Metrics"]} == {
        "Processed",
        "Failed",
        "DeadLettered",
        "Deferred",
        "Duration",
    }
    assert record["Processed"] == 1 and record["Failed"] == 0 and record["Duration"] == 250.0


def test_a_dead_lettered_message_counts_as_failed_and_dead_lettered():
    record = outcome_record("normalization", "ior.extract.accepted", "dead-lettered", 1.0)
    assert (record["Failed"], record["DeadLettered"], record["Processed"]) == (1, 1, 0)


def test_published_records_count_events_per_type():
    records = published_records("comparison", ["ior.comparison.completed", "ior.alert.raised"] * 2)
    counts = {record["type"]: record["Published"] for record in records}
    assert counts == {"ior.comparison.completed": 2, "ior.alert.raised": 2}
    [directive] = records[0]["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["service", "type"]]


def test_transient_deferrals_back_off_doubling_up_to_a_minute():
    delays = [transient_delay_seconds(n) for n in range(8)]
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60]
    assert transient_delay_seconds(10**9) == 60
