"""`pulumi up` runs `__main__.py`, which reads the stack file and builds the same stack."""

import runpy

from contracts.topology import TOPOLOGY
from tests.pulumi import tokens
from tests.pulumi.program import PROGRAM, run_under_mocks


def test_entry_point_builds_the_stack_with_the_stack_file_settings(pulumi_config):
    pulumi_config("prod")
    recorded = run_under_mocks(lambda: runpy.run_path(str(PROGRAM / "__main__.py")))
    functions = recorded.of_type(tokens.FUNCTION)
    assert len(functions) == len(TOPOLOGY.services)
    assert {f.inputs["tags"]["environment"] for f in functions} == {"prod"}
