"""The portal's pure parts: roles and permissions, calculation state, cursors, the dev-login
guard, what the projection makes of a calculation that replaces another, and a customs line read
back from the read model."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts.datasets import DutyLayer
from contracts.envelope import new_envelope
from contracts.events import CustomsLinesGeneratedV1, CustomsTotalsV1, ExtractRejectedV1, ObjectRef
from entrypoints.errors import UsageError
from entrypoints.portal_cli import refuse_unless_emulator
from services.portal import line_items, projection
from services.portal.api.roles import Permission, Principal, Role
from services.portal.changes import AddToSets
from services.portal.codec import from_dynamo, to_dynamo
from services.portal.errors import InvalidCursor
from services.portal.paging import decode_cursor, encode_cursor
from services.portal.queries import calculation_state
from tests.unit.test_comparison_matching import customs_line

SHA = "a" * 64


def ref(key):
    return ObjectRef(uri=f"s3://ior-processed/{key}", sha256=SHA, row_count=1)


def principal(*roles):
    return Principal.from_claims({"sub": "u", "roles": list(roles)}, "roles")


def test_a_viewer_only_reads():
    viewer = principal("viewer")
    assert viewer.may(Permission.READ)
    assert not any(viewer.may(p) for p in Permission if p is not Permission.READ)


def test_an_operator_uploads_and_reruns_but_does_not_operate_dead_letters():
    operator = principal("operator")
    assert operator.may(Permission.UPLOAD) and operator.may(Permission.RERUN_COMPARISON)
    assert not operator.may(Permission.OPERATE_DLQ)


def test_an_admin_may_do_everything():
    assert all(principal("admin").may(p) for p in Permission)


def test_entra_app_roles_are_matched_case_insensitively_and_unknown_ones_ignored():
    assert principal("Admin", "Reader").roles == {Role.ADMIN}
    assert Principal.from_claims({"sub": "u", "roles": "Viewer"}, "roles").roles == {Role.VIEWER}
    assert not principal().may(Permission.READ)


def test_a_calculation_is_superseded_only_when_every_invoice_is_current_elsewhere():
    calc = {"invoice_numbers": ["A", "B"], "superseded_invoices": ["A"]}
    assert calculation_state(calc) == "current"
    assert calculation_state({**calc, "superseded_invoices": ["A", "B"]}) == "superseded"


def test_a_cursor_round_trips_and_a_forged_one_is_refused():
    position = {"pk": "CALC#X", "sk": "CALC"}
    assert decode_cursor(encode_cursor(position)) == position
    with pytest.raises(InvalidCursor):
        decode_cursor("not-a-cursor")


@pytest.mark.parametrize(
    "endpoint", [None, "https://sqs.us-east-1.amazonaws.com", "http://10.0.0.5:4566"]
)
def test_the_dev_login_is_refused_off_a_local_emulator(endpoint):
    with pytest.raises(UsageError, match="--dev-login"):
        refuse_unless_emulator(endpoint)


def test_the_dev_login_runs_on_a_local_emulator():
    refuse_unless_emulator("http://localhost:4566")
    refuse_unless_emulator("http://127.0.0.1:51234")


def calculation_event(calc_id, *, supersedes=None, superseded_by=None):
    data = CustomsLinesGeneratedV1(
        calc_id=calc_id,
        lines=ref("customs-lines/x.jsonl"),
        workbook=ref("workbooks/x.xlsx"),
        calculation=ref("customs-lines/x.json"),
        invoice_numbers=("INV-1", "INV-2"),
        po_numbers=("PO-1",),
        line_count=0,
        exception_count=0,
        packaging_count=0,
        totals=CustomsTotalsV1(entered_value_usd=0, duty_usd=0, mpf_usd=0, hmf_usd=0),
        supersedes=supersedes or {},
        superseded_by=superseded_by or {},
    )
    envelope = new_envelope(
        data, source="ior.customs_generation", subject=calc_id, correlationid="c", cause=calc_id
    )
    return envelope, data


def test_a_replacing_calculation_marks_the_one_it_replaces():
    envelope, data = calculation_event(
        "CALC-20261122-020000-BBBB", supersedes={"INV-1": "CALC-20261122-010000-AAAA"}
    )
    changes = projection.calculation(envelope, data, [])
    [mark] = [c for c in changes.views if isinstance(c, AddToSets)]
    assert mark.pk == "CALC#CALC-20261122-010000-AAAA"
    assert mark.sets == {"superseded_invoices": frozenset({"INV-1"})}
    [supersession] = changes.supersessions
    assert supersession.invoice_number == "INV-1"


def test_a_calculation_that_arrives_after_its_replacement_marks_itself():
    envelope, data = calculation_event(
        "CALC-20261122-010000-AAAA", superseded_by={"INV-2": "CALC-20261122-020000-BBBB"}
    )
    changes = projection.calculation(envelope, data, [])
    [mark] = [c for c in changes.views if isinstance(c, AddToSets)]
    assert mark.pk == "CALC#CALC-20261122-010000-AAAA"
    assert mark.sets == {"superseded_invoices": frozenset({"INV-2"})}


def test_a_file_rejected_whole_is_an_extract_known_by_its_sha256():
    data = ExtractRejectedV1(
        feed=None,
        extract_id=None,
        source_uri="s3://ior-raw/sap/X/a.json",
        sha256=SHA,
        whole_file=True,
        reason="unknown feed",
        rejected_count=0,
        accepted_count=0,
        report_uri="s3://ior-raw/quarantine/X/a.report.json",
        quarantined_uri="s3://ior-raw/quarantine/X/a.json",
        findings=(),
    )
    envelope = new_envelope(
        data,
        source="ior.ingestion",
        subject="a",
        correlationid="c",
        cause="x",
        time=datetime(2026, 11, 22, tzinfo=UTC),
    )
    [view] = projection.extract_rejected(envelope, data).views
    assert view.pk == f"EXTRACT#file-{SHA}"
    assert view.fields["status"] == "rejected" and view.fields["feed"] == "unknown"


def test_a_customs_line_is_kept_as_its_lookups_and_one_json_text_and_read_back_whole():
    from tests.integration.test_portal_store import line

    customs_line = line("CALC-20261122-010000-AAAA", "INV-1")
    item = line_items.line_item(customs_line)
    assert set(item) == {"entry_date", "line_key", "line", *line_items.LOOKUPS}
    view = line_items.line_view(item)
    dumped = customs_line.model_dump(mode="json")
    assert view == {
        "line_key": item["line_key"],
        **{name: value for name, value in dumped.items() if value is not None},
    }
    assert view["entered_value_usd"] == "10"  # amounts stay text


def test_a_customs_line_read_back_from_the_read_model_is_the_line_projected():
    fentanyl = DutyLayer(
        program="IEEPA-FENTANYL",
        code="9903.01.24",
        rate_pct=Decimal("20"),
        duty_usd=Decimal("1332.00"),
    )
    line = customs_line(
        entered_value_usd=Decimal("6660.00"),
        duty_layers=(fentanyl,),
        customer_match_score=Decimal("0.970"),
    )
    stored = line_items.line_view(from_dynamo(to_dynamo(line_items.line_item(line))))
    assert "line_key" in stored and "manufacturer_id" not in stored  # None is not stored
    back = line_items.customs_line(stored)
    assert back == line
    assert (str(back.entered_value_usd), str(back.duty_layers[0].duty_usd)) == (
        "6660.00",
        "1332.00",
    )
