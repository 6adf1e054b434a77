"""Random, valid ASL state machines with annotated and plain aws-sdk tasks, nested to any depth.

One generator serves hypothesis (through `st.randoms()`) and the batched validator tests (seeded
`random.Random`), so both see the same kind of machines.
"""

from __future__ import annotations

import random
from typing import Any

# (service, action, JSONPath Parameters) that the catalog knows, with real input members.
CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("s3", "getObject", {"Bucket": "cards", "Key.$": "$.key"}),
    ("s3", "putObject", {"Bucket": "cards", "Key": "k", "Body.$": "$.body"}),
    ("dynamodb", "getItem", {"TableName": "t", "Key": {"pk": {"S.$": "$.id"}}}),
    ("sqs", "sendMessage", {"QueueUrl": "https://sqs.example/q", "MessageBody.$": "States.JsonToString($)"}),
    ("sts", "getCallerIdentity", None),
    ("ec2", "describeVolumes", {"Filters": [{"Name": "status", "Values": ["available"]}]}),
    (
        "bedrockagent",
        "getIngestionJob",
        {"KnowledgeBaseId": "kb", "DataSourceId": "ds", "IngestionJobId.$": "$.j"},
    ),
    ("rds", "describeDBInstances", {"DbInstanceIdentifier.$": "$.db"}),
    ("sfn", "startExecution", {"StateMachineArn.$": "$.arn", "Input.$": "$"}),
]
STATIC_REGIONS = ["us-west-2", "eu-central-1", "ap-northeast-1", "us-east-2"]
PATH_REGIONS = ["$.region", "$$.Execution.Input.region", "$.target['region']"]
JSONATA_REGIONS = ["{% $states.input.region %}", "{% 'us-west-' & '2' %}"]


class Namer:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, kind: str) -> str:
        self.count += 1
        return f"{kind}{self.count}"


def machine(rng: random.Random, *, jsonata: bool | None = None) -> dict[str, Any]:
    """A whole state machine; about half of its aws-sdk tasks carry an annotation."""
    if jsonata is None:
        jsonata = rng.random() < 0.3
    namer = Namer()
    definition: dict[str, Any] = {}
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    if rng.random() < 0.5:
        definition["Comment"] = "generated"
    definition.update(_chain(rng, namer, depth=0, jsonata=jsonata))
    return definition


def _chain(rng: random.Random, namer: Namer, *, depth: int, jsonata: bool) -> dict[str, Any]:
    length = rng.randint(1, 4 if depth < 2 else 2)
    names: list[str] = []
    states: list[dict[str, Any]] = []
    for _ in range(length):
        name, state = _state(rng, namer, depth=depth, jsonata=jsonata)
        names.append(name)
        states.append(state)
    fail_name = namer("Failed")
    for index, state in enumerate(states):
        if index + 1 < len(states):
            state["Next"] = names[index + 1]
        else:
            state["End"] = True
        if state["Type"] == "Task" and rng.random() < 0.3:
            errors = rng.choice([["S3.NoSuchKeyException"], ["States.TaskFailed"], ["States.ALL"]])
            state["Catch"] = [{"ErrorEquals": errors, "Next": fail_name}]
    result = dict(zip(names, states, strict=True))
    if any("Catch" in state for state in states):
        result[fail_name] = {"Type": "Fail", "Error": "Failed", "Cause": "generated"}
    return {"StartAt": names[0], "States": result}


def _state(rng: random.Random, namer: Namer, *, depth: int, jsonata: bool) -> tuple[str, dict[str, Any]]:
    roll = rng.random()
    if depth < 3 and roll < 0.15:
        branches = [_chain(rng, namer, depth=depth + 1, jsonata=jsonata) for _ in range(rng.randint(1, 3))]
        return namer("Fan"), {"Type": "Parallel", "Branches": branches}
    if depth < 3 and roll < 0.3:
        processor = _chain(rng, namer, depth=depth + 1, jsonata=jsonata)
        field = "Iterator" if (not jsonata and rng.random() < 0.3) else "ItemProcessor"
        if field == "ItemProcessor" and rng.random() < 0.5:
            processor = {"ProcessorConfig": {"Mode": "INLINE"}, **processor}
        state: dict[str, Any] = {"Type": "Map", field: processor}
        if jsonata:
            state["Items"] = "{% $states.input.items %}"
        else:
            state["ItemsPath"] = "$.items"
        return namer("Loop"), state
    if roll < 0.4:
        return namer("Pass"), {"Type": "Pass"}
    return namer("Call"), _task(rng, jsonata=jsonata)


def _task(rng: random.Random, *, jsonata: bool) -> dict[str, Any]:
    service, action, parameters = rng.choice(CALLS)
    annotated = rng.random() < 0.5
    form = rng.choice(["arn", "comment", "comment-text"]) if annotated else "none"
    if jsonata:
        region = rng.choice(STATIC_REGIONS + JSONATA_REGIONS)
    else:
        region = rng.choice(STATIC_REGIONS + PATH_REGIONS)
    if form == "arn" and not region.startswith(("us-", "eu-", "ap-")):
        form = "comment"
    arn_region = region if form == "arn" else ""
    wait = service == "sqs" and rng.random() < 0.5
    resource = f"arn:aws:states:{arn_region}::aws-sdk:{service}:{action}" + (
        ".waitForTaskToken" if wait else ""
    )
    state: dict[str, Any] = {"Type": "Task"}
    if form == "comment":
        state["Comment"] = f"@sfnxr region={region}"
    elif form == "comment-text":
        state["Comment"] = f"Reads the data. @sfnxr region={region}"
    elif rng.random() < 0.3:
        state["Comment"] = "a plain comment"
    state["Resource"] = resource
    if parameters is not None and (rng.random() < 0.9):
        if jsonata:
            state["Arguments"] = _to_jsonata(parameters)
        else:
            state["Parameters"] = dict(parameters)
            if wait:
                state["Parameters"]["MessageBody.$"] = "States.Format('{}', $$.Task.Token)"
    if rng.random() < 0.2:
        key = "RoleArn" if jsonata or rng.random() < 0.5 else "RoleArn.$"
        state["Credentials"] = {key: "arn:aws:iam::123456789012:role/x" if key == "RoleArn" else "$.role"}
    if rng.random() < 0.3:
        state["Retry"] = [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 2}]
    if jsonata:
        if rng.random() < 0.4:
            state["Output"] = "{% $states.result %}"
        if rng.random() < 0.3:
            state["Assign"] = {"last": "{% $states.result %}"}
    else:
        if rng.random() < 0.3:
            state["ResultPath"] = "$.result"
        if rng.random() < 0.2:
            state["ResultSelector"] = {"all.$": "$"}
    if rng.random() < 0.2:
        state["TimeoutSeconds"] = 30
    return state


def _to_jsonata(parameters: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parameters.items():
        if key.endswith(".$"):
            out[key[:-2]] = "{% $states.input %}"
        elif isinstance(value, dict):
            out[key] = _to_jsonata(value)
        else:
            out[key] = value
    return out


def annotated_task_names(definition: dict[str, Any]) -> set[str]:
    """Names of the Task states that carry an annotation (their region or a directive)."""
    from sfnxr.annotations import has_directive, parse_sdk_resource
    from sfnxr.asl import iter_states

    names = set()
    for ref in iter_states(definition):
        sdk = parse_sdk_resource(ref.state.get("Resource"))
        if has_directive(ref.state.get("Comment")) or (sdk is not None and sdk.region):
            names.add(ref.name)
    return names
