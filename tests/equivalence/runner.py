"""Run one state machine on the harness's moto server and wait for it.

    status, output, error, cause = run(definition, {"key": "a"}, "us-west-2")

The server is the one the session fixture started (``use(endpoint)`` registers it). ``run`` creates the
state machine, starts one execution, polls it to the end and deletes the state machine. ``while_running`` is
called on every poll with the execution's ARN and region until it returns True: callbacks
(``.waitForTaskToken``) answer from there.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from tests.support import moto_server

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfnxr-equivalence"
POLL_SECONDS = 0.01
TIMEOUT_SECONDS = 30.0

_endpoints: list[str] = []

# Called while the execution runs: (execution ARN, the execution's region) -> done (stop calling).
WhileRunning = Callable[[str, str], bool]


def use(endpoint: str) -> None:
    """Make ``endpoint`` the server that ``run`` and ``client`` talk to."""
    _endpoints[:] = [endpoint]


def endpoint() -> str:
    if not _endpoints:
        raise RuntimeError("no moto server: the equivalence fixture registers one with runner.use()")
    return _endpoints[0]


def client(service: str, region: str) -> Any:
    """A boto3 client for the harness's server (dummy credentials)."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint(),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def reset() -> None:
    """Forget every resource and execution (the config, set once, stays)."""
    moto_server.reset(endpoint())


@dataclass
class Run:
    """What one execution ended with. Unpacks as ``(status, output, error, cause)``."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    region: str
    execution_arn: str
    events: Counter[str] = field(default_factory=Counter)  # history event type -> count
    task_errors: list[str] = field(default_factory=list)  # the error of every failed task attempt, sorted
    lambda_tasks: int = 0  # TaskScheduled events of the lambda service integration

    def __iter__(self) -> Iterator[Any]:
        return iter((self.status, self.output, self.error, self.cause))

    @property
    def lambda_calls(self) -> int:
        """Lambda invocations (a function ARN as Resource, or lambda:invoke.waitForTaskToken)."""
        return self.events["LambdaFunctionScheduled"] + self.lambda_tasks


_FAILED_ATTEMPTS = {
    "TaskFailed": "taskFailedEventDetails",
    "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
}


def _task_errors(history: list[dict[str, Any]]) -> Iterator[str]:
    for event in history:
        details = _FAILED_ATTEMPTS.get(event["type"])
        if details is not None:
            yield str(event.get(details, {}).get("error"))


def _output(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        # moto 5.2.5 reports a string result as its bare text (Step Functions: the JSON string "...").
        return text


def run(
    definition: Mapping[str, Any] | str,
    input: Any,
    region: str,
    *,
    name: str | None = None,
    while_running: WhileRunning | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> Run:
    """Create the state machine in ``region``, run it once with ``input``, wait, and report."""
    sfn = client("stepfunctions", region)
    text = definition if isinstance(definition, str) else json.dumps(definition)
    machine = sfn.create_state_machine(
        name=f"equivalence-{uuid.uuid4().hex[:12]}", definition=text, roleArn=ROLE
    )["stateMachineArn"]
    try:
        started = sfn.start_execution(
            stateMachineArn=machine, name=name or uuid.uuid4().hex, input=json.dumps(input)
        )
        arn = started["executionArn"]
        deadline = time.monotonic() + timeout
        waiting = while_running
        while True:
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            if waiting is not None and waiting(arn, region):
                waiting = None
            if time.monotonic() > deadline:
                events = sfn.get_execution_history(executionArn=arn, maxResults=1000)
                sfn.stop_execution(executionArn=arn, error="Harness.Timeout")
                last = "\n".join(json.dumps(event, default=str) for event in events["events"][-8:])
                raise TimeoutError(
                    f"execution did not end within {timeout} s: {arn}; its last events:\n{last}"
                )
            time.sleep(POLL_SECONDS)
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        return Run(
            status=described["status"],
            output=_output(described.get("output")),
            error=described.get("error"),
            cause=described.get("cause"),
            region=region,
            execution_arn=arn,
            events=Counter(event["type"] for event in history),
            task_errors=sorted(_task_errors(history)),
            lambda_tasks=sum(
                event.get("taskScheduledEventDetails", {}).get("resourceType") == "lambda"
                for event in history
            ),
        )
    finally:
        sfn.delete_state_machine(stateMachineArn=machine)
