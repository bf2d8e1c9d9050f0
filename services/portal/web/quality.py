"""Data quality: every extract with its findings and rejections, one extract's reports (record,
field, value, rule), and per material what makes its duty wrong (missing weights, metal
without origin countries, HTS expiring)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from contracts.quality_rules import DUTY_RISKS
from services.portal.api.roles import Principal
from services.portal.errors import NotFound
from services.portal.web.documents import read_json
from services.portal.web.site import Site

LISTED = 100
ERROR = "error"


@dataclass(frozen=True)
class MaterialFinding:
    """One finding of a material, however many records repeat it (`records`)."""

    severity: str
    rule: str
    field: str
    value: str | None
    detail: str
    records: tuple[int | None, ...]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class MaterialFindings:
    """A material's findings, errors first, and the duty risks among them."""

    material: str
    description: str | None
    findings: tuple[MaterialFinding, ...]

    @property
    def has_error(self) -> bool:
        return any(finding.is_error for finding in self.findings)

    @property
    def risks(self) -> list[str]:
        rules = {finding.rule for finding in self.findings}
        return [label for rule, label in DUTY_RISKS.items() if rule in rules]


def by_material(findings: Iterable[Mapping[str, Any]]) -> list[MaterialFindings]:
    """The findings that name a material (the report's `material` field), one entry per
    material: those with an error first, then by material number."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for finding in findings:
        if finding.get("material"):
            grouped.setdefault(str(finding["material"]), []).append(finding)
    materials = [
        MaterialFindings(material, _description(found), _distinct(found))
        for material, found in grouped.items()
    ]
    return sorted(materials, key=lambda entry: (not entry.has_error, entry.material))


def _description(findings: list[Mapping[str, Any]]) -> str | None:
    return next(
        (f["material_description"] for f in findings if f.get("material_description")), None
    )


def _distinct(findings: list[Mapping[str, Any]]) -> tuple[MaterialFinding, ...]:
    records: dict[tuple[str, str, str, str | None, str], list[int | None]] = {}
    for finding in findings:
        key = (
            str(finding.get("severity", "")),
            str(finding.get("rule", "")),
            str(finding.get("field", "")),
            finding.get("value"),
            str(finding.get("detail", "")),
        )
        records.setdefault(key, []).append(finding.get("record_index"))
    distinct = [MaterialFinding(*key, records=tuple(indexes)) for key, indexes in records.items()]
    return tuple(sorted(distinct, key=lambda f: (not f.is_error, f.rule, f.field, f.detail)))


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    queries = site.backend.queries
    reader = Depends(site.signed_in())

    @pages.get("/quality", response_class=HTMLResponse)
    def quality(request: Request, principal: Principal = reader) -> HTMLResponse:
        extracts = queries.extracts(limit=LISTED).items
        return site.render(request, principal, "quality.html", extracts=extracts)

    @pages.get("/quality/{extract_key}", response_class=HTMLResponse)
    def extract(request: Request, extract_key: str, principal: Principal = reader) -> HTMLResponse:
        found = queries.extract(extract_key)
        if found is None:
            raise NotFound(f"no extract {extract_key} in the portal")
        s3 = site.backend.clients.s3
        report = read_json(s3, found.get("quality_report_uri"))
        findings = report["findings"] if report else []
        return site.render(
            request,
            principal,
            "extract.html",
            extract=found,
            report=report,
            findings=findings,
            rejection=read_json(s3, found.get("rejection_report_uri")),
            materials=by_material(findings),
        )

    return pages
