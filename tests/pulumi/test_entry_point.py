"""`pulumi up` runs `__main__.py`, which reads the stack file and builds the same stack."""

import runpy

import pulumi

from contracts.topology import TOPOLOGY
from tests.pulumi import tokens
from tests.pulumi.mocks import distribution_domain
from tests.pulumi.program import PROGRAM, run_under_mocks

PORTAL_CONFIG = {
    "ior:portalOidcIssuer": "https://login.microsoftonline.com/tenant-1/v2.0",
    "ior:portalOidcAudience": "api://ior-portal",
    "ior:portalOidcClientId": "client-1",
    "ior:portalSessionSecret": "x" * 40,
}


def test_entry_point_builds_the_stack_with_the_stack_file_settings(pulumi_config):
    pulumi_config("prod")
    recorded = run_under_mocks(lambda: runpy.run_path(str(PROGRAM / "__main__.py")))
    functions = recorded.of_type(tokens.FUNCTION)
    assert len(functions) == len(TOPOLOGY.services)
    assert {f.inputs["tags"]["environment"] for f in functions} == {"prod"}


def test_entry_point_exports_where_people_reach_the_portal(pulumi_config, monkeypatch):
    pulumi_config("prod", **PORTAL_CONFIG)
    exported = {}

    def export(name, value):
        pulumi.Output.from_input(value).apply(lambda resolved: exported.update({name: resolved}))

    monkeypatch.setattr(pulumi, "export", export)
    recorded = run_under_mocks(lambda: runpy.run_path(str(PROGRAM / "__main__.py")))
    [distribution] = recorded.of_type(tokens.DISTRIBUTION)
    url = f"https://{distribution_domain(distribution.name)}"
    assert exported["portal_url"] == {face.name: url for face in TOPOLOGY.api_faces}
