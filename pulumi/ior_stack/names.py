"""Names of the resources the topology does not name: one function, role and log group per service.

The runtime finds topics, queues, buckets and tables by their topology names, so those are used
as the physical names unchanged; only the per-service compute resources are named here.
"""

from __future__ import annotations

from contracts.topology import PROJECT

KEY_ALIAS = f"alias/{PROJECT}"
DEPENDENCIES_LAYER = f"{PROJECT}-dependencies"
DASHBOARD = f"{PROJECT}-operations"


def function_name(service: str) -> str:
    return f"{PROJECT}-{service.replace('_', '-')}"


def role_name(service: str) -> str:
    return f"{function_name(service)}-lambda"


def log_group_name(service: str) -> str:
    """The group Lambda writes to by default, created here so its retention and key are ours."""
    return f"/aws/lambda/{function_name(service)}"
