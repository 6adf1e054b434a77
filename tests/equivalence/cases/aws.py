"""Small helpers the cases use to make resources, answer callbacks and read back what a run left."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from tests.equivalence import runner
from tests.equivalence.harness import Callback, Env, code_zip
from tests.support import moto_server

ACCOUNT = runner.ACCOUNT


def at(region: str) -> str:
    """The Comment directive that sends a task to ``region``."""
    return f"@sfnxr region={region}"


def decoys(env: Env) -> bool:
    """True in the runs whose machine is not in the target region: there a case may put look-alike
    resources in the home region, so that reaching the wrong region gives a visibly different answer."""
    return env.home != env.target


def table(
    env: Env, name: str, items: Iterable[Mapping[str, Any]] = (), region: str | None = None, key: str = "id"
) -> None:
    ddb = env.client("dynamodb", region)
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in items:
        ddb.put_item(TableName=name, Item=dict(item))


def bucket(env: Env, name: str, objects: Mapping[str, bytes] = {}, region: str | None = None) -> None:
    where = region or env.target
    s3 = env.client("s3", where)
    if where == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": where})
    for key, body in objects.items():
        s3.put_object(Bucket=name, Key=key, Body=body)


def queue(env: Env, name: str, region: str | None = None) -> str:
    url: str = env.client("sqs", region).create_queue(QueueName=name)["QueueUrl"]
    return url


def crawls_finish_after(seconds: float) -> None:
    """moto's Glue crawls stay RUNNING forever by default (a "manual" transition nothing advances): let
    them finish ``seconds`` after they start, so a polling loop goes round and then ends."""
    moto_server.api(
        runner.endpoint(),
        "state-manager/set-transition",
        {"model_name": "glue::crawl", "transition": {"progression": "time", "seconds": seconds}},
    )


def echo_function(env: Env, name: str, region: str) -> None:
    """A user's Lambda function, as moto runs it without Docker: it answers with its payload."""
    iam = env.client("iam", region)
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    env.client("lambda", region).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code_zip()},
    )


def plain(value: Any) -> Any:
    """boto3 values for comparison: bytes as base64 text, timestamps as ISO text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return "base64:" + base64.b64encode(bytes(value)).decode()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def scan(env: Env, name: str, region: str | None = None) -> list[Any]:
    """Every item of a table, ordered by id (what a run wrote)."""
    items = env.client("dynamodb", region).scan(TableName=name)["Items"]
    return [
        plain(item) for item in sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))
    ]


def s3_object(env: Env, name: str, key: str, region: str | None = None) -> dict[str, Any]:
    """An object's bytes and content type (what a run stored)."""
    answer = env.client("s3", region).get_object(Bucket=name, Key=key)
    return {"ContentType": answer.get("ContentType"), "Body": plain(answer["Body"].read())}


def send_task_result(
    region: str, token: str, *, output: Any = None, failure: tuple[str, str] | None = None
) -> bool:
    """SendTaskSuccess (or SendTaskFailure); False when the task has not started waiting yet (moto registers
    the token only after the task's request returned: an early answer is InvalidToken)."""
    sfn = runner.client("stepfunctions", region)
    try:
        if failure is not None:
            sfn.send_task_failure(taskToken=token, error=failure[0], cause=failure[1])
        else:
            sfn.send_task_success(taskToken=token, output=json.dumps(output))
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidToken":
            return False
        raise
    return True


def answer_task_from_queue(
    queue_name: str,
    *,
    output: Callable[[dict[str, Any]], Any] | None = None,
    failure: tuple[str, str] | None = None,
    token_key: str = "taskToken",
) -> Callback:
    """A callback for ``.waitForTaskToken``: read the message the task sent to ``queue_name`` in the target
    region, then SendTaskSuccess (``output(message)``) or SendTaskFailure (``failure``) in the execution's
    region."""
    received: dict[str, dict[str, Any]] = {}  # execution ARN -> its message

    def callback(env: Env, execution_arn: str, region: str) -> bool:
        if execution_arn not in received:
            sqs = env.client("sqs")
            url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
            if not messages:
                return False
            # Taken off the queue at once: left there, it would come back after its visibility timeout
            # and a later execution could answer an earlier one's token.
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
            received[execution_arn] = json.loads(messages[0]["Body"])
        message = received[execution_arn]
        result = output(message) if output is not None else message
        return send_task_result(region, message[token_key], output=result, failure=failure)

    return callback


def after_failures(count: int, action: Callable[[Env], None]) -> Callback:
    """A callback that runs ``action`` once the execution has seen ``count`` failed task attempts."""

    def callback(env: Env, execution_arn: str, region: str) -> bool:
        sfn = runner.client("stepfunctions", region)
        events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        failed = sum(event["type"] in ("TaskFailed", "LambdaFunctionFailed") for event in events)
        if failed < count:
            return False
        action(env)
        return True

    return callback
