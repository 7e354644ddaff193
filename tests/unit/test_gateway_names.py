"""The case gateway names the workflow's handlers instead of importing the workflow:
the names must be the ones `SupportCaseWorkflow` defines."""

from __future__ import annotations

import subprocess
import sys

from temporalio import workflow

from workflows import gateway
from workflows.case import SupportCaseWorkflow


def test_the_gateway_names_the_workflow_and_its_handlers() -> None:
    definition = workflow._Definition.must_from_class(SupportCaseWorkflow)
    assert definition.name == gateway.WORKFLOW
    named = {
        gateway.POST_MESSAGE,
        gateway.SUBMIT_APPROVAL,
        gateway.POST_HUMAN_REPLY,
        gateway.HAND_BACK,
        gateway.CLOSE_CASE,
        gateway.SEND_DRAFT,
    }
    assert named == set(definition.updates)
    assert {gateway.GET_CASE, gateway.GET_PENDING_APPROVAL} == set(definition.queries)


def test_a_process_that_only_talks_to_cases_loads_no_graph() -> None:
    probe = (
        "import sys, web.app, workers.email, workers.outbox; "
        "print(sorted(m for m in ('langgraph', 'graph', 'brain', 'numpy', 'matplotlib', "
        "'anthropic', 'workflows.case', 'workers.agent') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
