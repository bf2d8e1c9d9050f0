"""Where the comparison leaves its reports in the processed bucket: written by the comparison
service, read by the commands that copy results out (and by the portal). Pure names."""

from __future__ import annotations

COMPARISONS_PREFIX = "comparisons/"
COMPARISON_REPORT = "comparison.json"
COMPARISON_WORKBOOK = "comparison.xlsx"


def comparison_workbook_uri(report_uri: str) -> str:
    """The Excel report, written next to the JSON one under the same comparison run."""
    return report_uri.removesuffix(COMPARISON_REPORT) + COMPARISON_WORKBOOK
