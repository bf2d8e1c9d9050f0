"""The pages' pure parts: the freshness badge's verdict, amounts as pages write them, the
customs-lines filter read from a form, the quality findings per material and the static files'
version."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.feeds import FEEDS
from services.portal.errors import InvalidQuery
from services.portal.web.assets import content_version
from services.portal.web.formats import money, when
from services.portal.web.freshness import Level, ago, freshness
from services.portal.web.lines import line_filter
from services.portal.web.quality import by_material

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def synced(**ages: timedelta) -> list[dict[str, str]]:
    """Every feed synced an hour ago, but those given another age."""
    return [
        {"feed": feed, "synced_at": (NOW - ages.get(feed, timedelta(hours=1))).isoformat()}
        for feed in FEEDS
    ]


def test_every_feed_on_time_and_no_dead_letters_is_fresh():
    badge = freshness(synced(), {"ingestion": 0}, NOW)
    assert badge.level is Level.FRESH
    assert badge.headline == "Last SAP sync 1 h ago"


def test_a_daily_feed_older_than_26_hours_is_late():
    assert freshness(synced(ZEMM004=timedelta(hours=27)), {}, NOW).level is Level.LATE
    assert freshness(synced(ZEMM004=timedelta(hours=25)), {}, NOW).level is Level.FRESH


def test_a_weekly_feed_is_late_only_after_8_days():
    assert freshness(synced(ZEMM005=timedelta(days=7)), {}, NOW).level is Level.FRESH
    badge = freshness(synced(ZEMM005=timedelta(days=8, hours=1)), {}, NOW)
    assert badge.level is Level.LATE and badge.reasons == ["ZEMM005 is late"]


def test_a_feed_never_synced_is_late():
    seen = [view for view in synced() if view["feed"] != "ZSDR010"]
    assert freshness(seen, {}, NOW).level is Level.LATE


def test_a_dlq_holding_messages_is_red_whatever_the_feeds():
    badge = freshness(synced(ZEMM004=timedelta(days=3)), {"comparison": 2}, NOW)
    assert badge.level is Level.DEAD_LETTERS
    assert badge.reasons[0] == "comparison DLQ holds 2"


def test_a_daily_extract_dates_its_feed_by_its_arrival():
    views = [
        {"feed": feed, "received_at": (NOW - timedelta(hours=2)).isoformat()} for feed in FEEDS
    ]
    assert freshness(views, {}, NOW).headline == "Last SAP sync 2 h ago"


@pytest.mark.parametrize(
    ("age", "said"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(hours=30), "30 h ago"),
        (timedelta(days=9), "9 days ago"),
        (None, "never"),
    ],
)
def test_ages_read_as_people_say_them(age, said):
    assert ago(age) == said


def test_amounts_keep_their_cents_and_group_thousands():
    assert money("367376.7") == "367,376.70"
    assert money("n/a") == "n/a"
    assert when("2026-12-02T00:50:48.454547+00:00") == "2026-12-02 00:50 UTC"


def test_a_form_date_that_is_not_a_date_is_refused_with_its_name():
    with pytest.raises(InvalidQuery, match="entry_from must be a date"):
        line_filter({"entry_from": "04/01/2026", "entry_to": "2026-04-30"})


def test_empty_form_fields_filter_nothing():
    wanted = line_filter({"entry_from": "", "po": "4500018433", "hts": ""})
    assert wanted.attributes() == {"po_number": "4500018433"}


STEEL_BASE = "000000000010004711"
NOT_IN_MASTER = "000000000010009001"


def quality_finding(rule: str, record: int, material: str | None = None, **fields):
    severity = "warning" if rule in {"hts-expires-soon", "customer-unmatched"} else "error"
    return {
        "record_index": record,
        "field": "hts_code",
        "value": "9403200080",
        "rule": rule,
        "detail": f"about {rule}",
        "severity": severity,
        "material": material,
        "material_description": None,
        **fields,
    }


def test_findings_are_grouped_by_the_material_they_name_not_by_their_text():
    findings = [
        quality_finding("hts-expires-soon", 0, STEEL_BASE, material_description="base Queen"),
        quality_finding("customer-unmatched", 1, detail=f"{NOT_IN_MASTER} in the detail only"),
        quality_finding("material-not-in-master", 2, NOT_IN_MASTER, field="material"),
        quality_finding("metal-origin-country-missing", 3, STEEL_BASE, value=None),
    ]
    materials = by_material(findings)
    assert [(m.material, m.description) for m in materials] == [
        (STEEL_BASE, "base Queen"),
        (NOT_IN_MASTER, None),  # named in a customer finding's text: that is not grouped
    ]
    steel = materials[0]
    assert [f.records for f in materials[1].findings] == [(2,)]
    assert [f.rule for f in steel.findings] == ["metal-origin-country-missing", "hts-expires-soon"]
    assert steel.risks == ["metal without origin countries", "HTS expiring"]


def test_materials_with_an_error_come_first_and_a_finding_repeated_on_lines_is_listed_once():
    findings = [
        quality_finding("hts-expires-soon", 0, "000000000010000001"),
        quality_finding("no-weight-record-valid-at-entry-date", 4, "000000000010000002"),
        quality_finding("no-weight-record-valid-at-entry-date", 9, "000000000010000002"),
    ]
    first, second = by_material(findings)
    assert (first.material, first.has_error, second.has_error) == (
        "000000000010000002",
        True,
        False,
    )
    [missing_weight] = first.findings
    assert missing_weight.records == (4, 9) and first.risks == ["missing weight"]


def test_a_report_whose_findings_name_no_material_has_no_material_rows():
    assert by_material([quality_finding("customer-unmatched", 0)]) == []


def test_the_static_files_version_changes_with_any_file_and_only_then(tmp_path):
    (tmp_path / "portal.css").write_text("body {}")
    (tmp_path / "portal.js").write_text("const API = '/web/api';")
    first = content_version(tmp_path)
    assert content_version(tmp_path) == first and len(first) == 12
    (tmp_path / "portal.js").write_text("const API = '/web/api'; // changed")
    assert content_version(tmp_path) != first
