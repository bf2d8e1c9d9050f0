"""The brokers' "Customs Lines" template is defined once, with 192 unique columns."""

import re

from contracts.datasets import CustomsLineV1, DutyLayer
from contracts.workbook_columns import (
    CHAPTER99_GROUPS,
    CUSTOMS_LINES_COLUMNS,
    NUMBER_FORMATS,
    ColumnType,
)

SOURCE_FIELD = re.compile(r"(?P<field>\w+)(?:\[(?P<index>\d+)\](?:\.(?P<item_field>\w+))?)?")


def test_template_has_192_unique_columns():
    names = [column.name for column in CUSTOMS_LINES_COLUMNS]

    assert len(names) == 192
    assert len(set(names)) == 192


def test_every_source_field_is_a_customs_line_field():
    for column in CUSTOMS_LINES_COLUMNS:
        if column.source_field is None:
            continue
        match = SOURCE_FIELD.fullmatch(column.source_field)
        assert match is not None, column
        assert match["field"] in CustomsLineV1.model_fields, column
        if match["item_field"]:
            assert match["item_field"] in DutyLayer.model_fields, column


def test_every_dataset_field_has_a_column():
    roots = {
        SOURCE_FIELD.fullmatch(column.source_field)["field"]
        for column in CUSTOMS_LINES_COLUMNS
        if column.source_field
    }

    assert roots == set(CustomsLineV1.model_fields)


def test_each_dataset_field_fills_one_column_except_the_duty_layers():
    plain = [
        column.source_field
        for column in CUSTOMS_LINES_COLUMNS
        if column.source_field and "[" not in column.source_field
    ]

    assert len(plain) == len(set(plain))


def test_chapter99_groups_follow_the_mfn_layer():
    codes = [
        column.source_field
        for column in CUSTOMS_LINES_COLUMNS
        if column.name.startswith("Ch99 Code")
    ]

    assert codes == [f"duty_layers[{index}].code" for index in range(1, CHAPTER99_GROUPS + 1)]


def test_number_format_and_width_follow_the_column_type():
    for column in CUSTOMS_LINES_COLUMNS:
        assert column.number_format == NUMBER_FORMATS[column.type], column
        assert column.width > 0


def test_money_and_weight_columns_are_totalled():
    totalled = {column.name for column in CUSTOMS_LINES_COLUMNS if column.totalled}

    assert {"Entered Value (USD)", "Net Weight (kg)", "Total Duty (USD)", "MPF (USD)"} <= totalled
    assert all(
        column.type in (ColumnType.MONEY, ColumnType.WEIGHT)
        for column in CUSTOMS_LINES_COLUMNS
        if column.totalled
    )
