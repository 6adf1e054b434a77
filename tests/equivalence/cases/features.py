"""Cases written for the harness, one feature of a rerouted task each (issue 4, point 4).

Resources live in us-west-2 (``TARGET``); the candidate runs in us-east-1 (``HOME``). Where a case puts
look-alike resources in the home region (``decoys``), the original run there answers differently instead
of failing.
"""

from __future__ import annotations

import json
from typing import Any

from tests.equivalence import harness, runner
from tests.equivalence.cases.aws import (
    after_failures,
    answer_task_from_queue,
    at,
    bucket,
    decoys,
    queue,
    s3_object,
    scan,
    table,
)
from tests.equivalence.harness import HOME, TARGET, Case, Env

S3_GLOBAL = (
    "moto keeps S3 buckets in one namespace that answers in every region (real S3 would redirect), "
    "so the original run in us-east-1 reaches the bucket too"
)


def _sdk(action: str) -> str:
    return f"arn:aws:states:::aws-sdk:{action}"


# ---------------------------------------------------------------------------------------------- selectors


def _users(env: Env) -> None:
    item = {
        "id": {"S": "u1"},
        "name": {"S": "Ada"},
        "tags": {"SS": ["admin", "ops"]},
        "active": {"BOOL": True},
        "visits": {"N": "42"},
    }
    table(env, "users", [item])
    if decoys(env):
        table(env, "users", [{**item, "name": {"S": "Decoy in the home region"}}], region=env.home)


SELECTORS = Case(
    name="selectors-on-rerouted-task",
    about="ResultSelector, ResultPath and OutputPath on a rerouted DynamoDB getItem: the selectors see "
    "Step Functions' member names (Item.tags.Ss, Item.active.Bool).",
    definition={
        "StartAt": "GetUser",
        "States": {
            "GetUser": {
                "Type": "Task",
                "Comment": f"Users live in us-west-2. {at(TARGET)}",
                "Resource": _sdk("dynamodb:getItem"),
                "Parameters": {"TableName": "users", "Key": {"id": {"S.$": "$.id"}}},
                "ResultSelector": {
                    "name.$": "$.Item.name.S",
                    "tags.$": "$.Item.tags.Ss",
                    "active.$": "$.Item.active.Bool",
                    "visits.$": "States.StringToJson($.Item.visits.N)",
                },
                "ResultPath": "$.user",
                "OutputPath": "$.user",
                "End": True,
            }
        },
    },
    input={"id": "u1"},
    setup=_users,
)


def _parameters(env: Env) -> None:
    ssm = env.client("ssm")
    ssm.put_parameter(Name="/app/db-host", Value="db.us-west-2.internal", Type="String")
    ssm.put_parameter(Name="/app/api-key", Value="s3cr3t", Type="SecureString")
    if decoys(env):
        home = env.client("ssm", env.home)
        home.put_parameter(Name="/app/db-host", Value="db.us-east-1.internal", Type="String")
        home.put_parameter(Name="/app/api-key", Value="home-key", Type="SecureString")


INPUT_PATH = Case(
    name="inputpath-with-parameters",
    about="InputPath selects the part of the input that Parameters reads; ResultSelector with a "
    "SecureString decrypted in the target region.",
    definition={
        "StartAt": "GetKey",
        "States": {
            "GetKey": {
                "Type": "Task",
                "Resource": f"arn:aws:states:{TARGET}::aws-sdk:ssm:getParameter",
                "InputPath": "$.request",
                "Parameters": {"Name.$": "$.name", "WithDecryption": True},
                "ResultSelector": {
                    "value.$": "$.Parameter.Value",
                    "type.$": "$.Parameter.Type",
                    "version.$": "$.Parameter.Version",
                    "name.$": "$.Parameter.Name",
                },
                "End": True,
            }
        },
    },
    input={"request": {"name": "/app/api-key"}, "other": "ignored"},
    setup=_parameters,
)

NO_PARAMETERS = Case(
    name="no-parameters-input-is-request",
    about="No Parameters: the effective input is the request (the rewrite passes parameters.$ = $), first "
    "the whole input, then the part InputPath selects; the full getParameter result, LastModifiedDate "
    "included.",
    definition={
        "StartAt": "Whole",
        "States": {
            "Whole": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("ssm:getParameter"),
                "ResultSelector": {
                    "request": {"Name": "/app/api-key", "WithDecryption": True},
                    "first.$": "$",
                },
                "Next": "Selected",
            },
            "Selected": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("ssm:getParameter"),
                "InputPath": "$.request",
                "ResultSelector": {"value.$": "$.Parameter.Value", "type.$": "$.Parameter.Type"},
                "ResultPath": "$.second",
                "End": True,
            },
        },
    },
    input={"Name": "/app/db-host"},
    setup=_parameters,
)


# ---------------------------------------------------------------------------------------------- intrinsics


def _ledger(env: Env) -> None:
    table(env, "ledger")


INTRINSICS = Case(
    name="intrinsic-functions",
    about="Intrinsic functions in a rerouted task's Parameters (States.Format, JsonToString, MathAdd, "
    "ArrayGetItem, Base64Encode, Hash, StringSplit) and ResultSelector (ArrayLength, "
    "StringToJson, Base64Decode).",
    definition={
        "StartAt": "Write",
        "States": {
            "Write": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("dynamodb:putItem"),
                "Parameters": {
                    "TableName": "ledger",
                    "Item": {
                        "id": {"S.$": "States.Format('{}-{}', $.account, $$.Execution.Name)"},
                        "doc": {"S.$": "States.JsonToString($.doc)"},
                        "total": {"N.$": "States.Format('{}', States.MathAdd($.a, $.b))"},
                        "first": {"S.$": "States.ArrayGetItem(States.StringSplit($.csv, ','), 0)"},
                        "encoded": {"S.$": "States.Base64Encode($.account)"},
                        "digest": {"S.$": "States.Hash($.account, 'SHA-256')"},
                        "parts": {"L.$": "$.parts"},
                    },
                },
                "ResultPath": None,
                "Next": "Read",
            },
            "Read": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("dynamodb:getItem"),
                "Parameters": {
                    "TableName": "ledger",
                    "Key": {"id": {"S.$": "States.Format('{}-{}', $.account, $$.Execution.Name)"}},
                },
                "ResultSelector": {
                    "parts.$": "States.ArrayLength($.Item.parts.L)",
                    "doc.$": "States.StringToJson($.Item.doc.S)",
                    "decoded.$": "States.Base64Decode($.Item.encoded.S)",
                    "item.$": "$.Item",
                },
                "End": True,
            },
        },
    },
    input={
        "account": "acme",
        "doc": {"k": ["v", 1, True, None]},
        "a": 40,
        "b": 2,
        "csv": "x,y,z",
        "parts": [{"S": "p1"}, {"N": "2"}, {"BOOL": False}],
    },
    setup=_ledger,
    observe=lambda env: scan(env, "ledger"),
)


# ---------------------------------------------------------------------------------------------- errors


def _catch_state(
    error: str, resource: str, parameters: dict[str, Any], region_note: str = ""
) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Comment": f"{region_note}{at(TARGET)}",
                "Resource": _sdk(resource),
                "Parameters": parameters,
                "Catch": [{"ErrorEquals": [error], "ResultPath": "$.error", "Next": "Handled"}],
                "Next": "NotHandled",
            },
            "Handled": {"Type": "Pass", "Parameters": {"handled": True, "error.$": "$.error"}, "End": True},
            "NotHandled": {"Type": "Pass", "Result": {"handled": False}, "End": True},
        },
    }


def _reports(env: Env) -> None:
    bucket(env, "sfnxr-reports", {"2024-01-01.json": b'{"day": 1}'})


CATCH_NO_SUCH_KEY = Case(
    name="catch-s3-no-such-key",
    about="Catch on S3.NoSuchKeyException around a rerouted getObject of a missing key.",
    definition=_catch_state(
        "S3.NoSuchKeyException", "s3:getObject", {"Bucket": "sfnxr-reports", "Key.$": "$.key"}
    ),
    input={"key": "2024-01-02.json"},
    setup=_reports,
    expect_errors=("S3.NoSuchKeyException",),
    native_unchecked=S3_GLOBAL,
)


CATCH_HEAD_404 = Case(
    name="catch-s3-head-object-404",
    about="headObject of a missing key: S3 answers 404 without a body; the Java SDK (so Step Functions) names "
    "it S3.NoSuchKeyException, which a Catch takes.",
    definition=_catch_state(
        "S3.NoSuchKeyException", "s3:headObject", {"Bucket": "sfnxr-reports", "Key.$": "$.key"}
    ),
    input={"key": "2024-01-02.json"},
    setup=_reports,
    expect_errors=("S3.NoSuchKeyException",),
    native_unchecked=S3_GLOBAL,
    volatile=("Cause",),
    moto_deviation="botocore names the bodiless 404 '404' (message 'Not Found'); the reference applies the "
    "Java SDK's translation of the name (aws-sdk-java-v2 S3 ExceptionTranslationInterceptor), as the proxy "
    "does, so this case guards the Catch path but cannot show what Step Functions really reports. The Cause "
    "is not compared: no recording says what Step Functions shows for it.",
)


def _no_table_here(env: Env) -> None:
    if decoys(env):
        table(env, "orders", [{"id": {"S": "o1"}, "total": {"N": "1"}}], region=env.home)


CATCH_RESOURCE_NOT_FOUND = Case(
    name="catch-dynamodb-resource-not-found",
    about="Catch on DynamoDb.ResourceNotFoundException: the table does not exist in the target region "
    "(a look-alike exists in the home region).",
    definition=_catch_state(
        "DynamoDb.ResourceNotFoundException",
        "dynamodb:getItem",
        {"TableName": "orders", "Key": {"id": {"S.$": "$.id"}}},
    ),
    input={"id": "o1"},
    setup=_no_table_here,
    expect_errors=("DynamoDb.ResourceNotFoundException",),
)


def _accounts(env: Env) -> None:
    table(env, "accounts", [{"id": {"S": "a1"}, "owner": {"S": "ada"}}])


CATCH_CONDITIONAL = Case(
    name="catch-dynamodb-conditional-check-failed",
    about="Catch on DynamoDb.ConditionalCheckFailedException from a conditional putItem.",
    definition=_catch_state(
        "DynamoDb.ConditionalCheckFailedException",
        "dynamodb:putItem",
        {
            "TableName": "accounts",
            "Item": {"id": {"S.$": "$.id"}, "owner": {"S": "mallory"}},
            "ConditionExpression": "attribute_not_exists(id)",
        },
    ),
    input={"id": "a1"},
    setup=_accounts,
    observe=lambda env: scan(env, "accounts"),
    expect_errors=("DynamoDb.ConditionalCheckFailedException",),
)


def _secret_elsewhere(env: Env) -> None:
    if decoys(env):
        env.client("secretsmanager", env.home).create_secret(Name="prod/db", SecretString="home")


CATCH_TASK_FAILED = Case(
    name="catch-states-taskfailed",
    about="Catch on States.TaskFailed around a Secrets Manager getSecretValue of a missing secret: the "
    "error object (SecretsManager.ResourceNotFoundException and its Cause text) lands in the output.",
    definition=_catch_state("States.TaskFailed", "secretsmanager:getSecretValue", {"SecretId": "prod/db"}),
    setup=_secret_elsewhere,
    expect_errors=("SecretsManager.ResourceNotFoundException",),
)


def _queue_elsewhere(env: Env) -> None:
    if decoys(env):
        queue(env, "orders", region=env.home)


CATCH_ALL = Case(
    name="catch-states-all",
    about="Catch on States.ALL around an SQS sendMessage to a queue that does not exist in the target "
    "region (awsQueryCompatible error: Sqs.QueueDoesNotExistException).",
    definition=_catch_state(
        "States.ALL",
        "sqs:sendMessage",
        {"QueueUrl": f"https://sqs.{TARGET}.amazonaws.com/{runner.ACCOUNT}/orders", "MessageBody": "hello"},
    ),
    setup=_queue_elsewhere,
    expect_errors=("Sqs.QueueDoesNotExistException",),
)

RETRY_THEN_CATCH = Case(
    name="retry-then-catch",
    about="A Retry on DynamoDb.ConditionalCheckFailedException runs out (three attempts, counted), then "
    "the Catch takes the error.",
    definition={
        "StartAt": "Claim",
        "States": {
            "Claim": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("dynamodb:putItem"),
                "Parameters": {
                    "TableName": "accounts",
                    "Item": {"id": {"S.$": "$.id"}},
                    "ConditionExpression": "attribute_not_exists(id)",
                },
                "Retry": [
                    {
                        "ErrorEquals": ["DynamoDb.ConditionalCheckFailedException"],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 2,
                        "BackoffRate": 2.0,
                    }
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Taken"}],
                "End": True,
            },
            "Taken": {"Type": "Pass", "End": True},
        },
    },
    input={"id": "a1"},
    setup=_accounts,
    expect_errors=("DynamoDb.ConditionalCheckFailedException",),
)


def _create_secret(env: Env) -> None:
    env.client("secretsmanager").create_secret(Name="late/secret", SecretString='{"user": "ada"}')


RETRY_SUCCEEDS = Case(
    name="retry-until-it-exists",
    about="Retry on SecretsManager.ResourceNotFoundException: the secret appears after the first failed "
    "attempt (the harness creates it), the second attempt succeeds.",
    definition={
        "StartAt": "Read",
        "States": {
            "Read": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("secretsmanager:getSecretValue"),
                "Parameters": {"SecretId": "late/secret"},
                "ResultSelector": {"secret.$": "States.StringToJson($.SecretString)", "name.$": "$.Name"},
                "Retry": [
                    {
                        "ErrorEquals": ["SecretsManager.ResourceNotFoundException"],
                        "IntervalSeconds": 200,  # 1 s at the test server's time scale: time to create it
                        "MaxAttempts": 3,
                        "BackoffRate": 1.0,
                    }
                ],
                "End": True,
            }
        },
    },
    callback=after_failures(1, _create_secret),
)


def _missing_table_home_decoy(env: Env) -> None:
    if decoys(env):
        table(env, "inventory", [{"id": {"S": "i1"}}], region=env.home)


UNCAUGHT = Case(
    name="uncaught-error-fails-execution",
    about="No Catch: the execution fails with DynamoDb.ResourceNotFoundException and Step Functions' Cause.",
    definition={
        "StartAt": "Get",
        "States": {
            "Get": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("dynamodb:getItem"),
                "Parameters": {"TableName": "inventory", "Key": {"id": {"S": "i1"}}},
                "End": True,
            }
        },
    },
    setup=_missing_table_home_decoy,
    expect_status="FAILED",
    expect_errors=("DynamoDb.ResourceNotFoundException",),
)


# ---------------------------------------------------------------------------------------------- Map, Parallel


def _catalog(env: Env) -> None:
    table(
        env,
        "products",
        [
            {"id": {"S": "p1"}, "price": {"N": "9.5"}, "name": {"S": "Tea"}},
            {"id": {"S": "p2"}, "price": {"N": "12"}, "name": {"S": "Coffee"}},
            {"id": {"S": "p3"}, "price": {"N": "0.25"}, "name": {"S": "Sugar"}},
        ],
    )
    env.client("ssm").put_parameter(Name="/shop/currency", Value="EUR", Type="String")
    if decoys(env):
        table(
            env,
            "products",
            [{"id": {"S": "p1"}, "price": {"N": "1"}, "name": {"S": "Home"}}],
            region=env.home,
        )


MAP_IN_PARALLEL = Case(
    name="map-inside-parallel",
    about="A rerouted task inside a Map inside a Parallel branch, beside a rerouted task in another branch.",
    definition={
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Prices",
                        "States": {
                            "Prices": {
                                "Type": "Map",
                                "ItemsPath": "$.ids",
                                "MaxConcurrency": 2,
                                "ItemSelector": {"id.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                                "ItemProcessor": {
                                    "ProcessorConfig": {"Mode": "INLINE"},
                                    "StartAt": "Price",
                                    "States": {
                                        "Price": {
                                            "Type": "Task",
                                            "Comment": at(TARGET),
                                            "Resource": _sdk("dynamodb:getItem"),
                                            "Parameters": {
                                                "TableName": "products",
                                                "Key": {"id": {"S.$": "$.id"}},
                                            },
                                            "ResultSelector": {
                                                "name.$": "$.Item.name.S",
                                                "price.$": "$.Item.price.N",
                                            },
                                            "ResultPath": "$.product",
                                            "End": True,
                                        },
                                    },
                                },
                                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "NoPrices"}],
                                "End": True,
                            },
                            "NoPrices": {"Type": "Pass", "Result": "no prices", "End": True},
                        },
                    },
                    {
                        "StartAt": "Currency",
                        "States": {
                            "Currency": {
                                "Type": "Task",
                                "Comment": at(TARGET),
                                "Resource": _sdk("ssm:getParameter"),
                                "Parameters": {"Name": "/shop/currency"},
                                "ResultSelector": {"currency.$": "$.Parameter.Value"},
                                "End": True,
                            }
                        },
                    },
                ],
                "End": True,
            }
        },
    },
    input={"ids": ["p1", "p2", "p3"]},
    setup=_catalog,
)


REGIONS = ["us-west-2", "eu-west-1", "ap-southeast-2"]


def _settings(env: Env) -> None:
    # Every region's table, whatever the run: which region a call reaches is what the case checks.
    table(
        env,
        "settings",
        [{"id": {"S": "tier"}, "value": {"N": "1"}, "region": {"S": "us-west-2"}}],
        "us-west-2",
    )
    table(
        env,
        "settings",
        [{"id": {"S": "tier"}, "value": {"N": "2"}, "region": {"S": "eu-west-1"}}],
        "eu-west-1",
    )
    # ap-southeast-2 has no table: the iteration's Catch takes DynamoDb.ResourceNotFoundException


_EACH_REGION_ITERATION = {
    "StartAt": "Lookup",
    "States": {
        "Lookup": {
            "Type": "Task",
            "Comment": "@sfnxr region=$.region",
            "Resource": _sdk("dynamodb:getItem"),
            "Parameters": {"TableName": "settings", "Key": {"id": {"S.$": "$.id"}}},
            "ResultSelector": {"region.$": "$.Item.region.S", "value.$": "$.Item.value.N"},
            "Catch": [
                {
                    "ErrorEquals": ["DynamoDb.ResourceNotFoundException"],
                    "ResultPath": "$.error",
                    "Next": "Missing",
                }
            ],
            "End": True,
        },
        "Missing": {
            "Type": "Pass",
            "Parameters": {"region.$": "$.region", "missing": True, "error.$": "$.error.Error"},
            "End": True,
        },
    },
}


def _each_region_reference(case: Case, env: Env) -> dict[str, Any]:
    """Step Functions cannot run one machine in three regions, so the reference is composed: each
    iteration (the Map's ItemProcessor, without its annotation) runs natively in its item's region, and the
    Map's output is assembled from them as the Map would."""
    runner.reset()
    _settings(env)
    iteration = harness.strip_annotations(_EACH_REGION_ITERATION)
    outputs = []
    failures: list[str] = []
    for region in case.input["regions"]:
        run = runner.run(iteration, {"region": region, "id": case.input["id"]}, region)
        assert run.status == "SUCCEEDED", run
        outputs.append(run.output)
        failures += run.task_errors
    return {
        "status": "SUCCEEDED",
        "error": None,
        "cause": None,
        "output": {**case.input, "settings": outputs},
        "failed task attempts": sorted(failures),
    }


MAP_OVER_REGIONS = Case(
    name="map-over-regions",
    about="A Map over regions with a dynamic region (region=$.region): each iteration reaches its own "
    "region's table; one region has none and its Catch runs. The reference is composed from native runs of "
    "the iteration in each region.",
    definition={
        "StartAt": "EachRegion",
        "States": {
            "EachRegion": {
                "Type": "Map",
                "ItemsPath": "$.regions",
                "ItemSelector": {"region.$": "$$.Map.Item.Value", "id.$": "$.id"},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **_EACH_REGION_ITERATION},
                "ResultPath": "$.settings",
                "End": True,
            }
        },
    },
    input={"regions": REGIONS, "id": "tier"},
    setup=_settings,
    reference=_each_region_reference,
    expect_errors=("DynamoDb.ResourceNotFoundException",),
)


# ---------------------------------------------------------------------------------------------- JSONata

JSONATA = Case(
    name="jsonata-arguments-output-assign",
    about="A JSONata state: Arguments with expressions, Output and Assign reading $states.result, a later "
    "state reading the assigned variable.",
    definition={
        "QueryLanguage": "JSONata",
        "StartAt": "GetUser",
        "States": {
            "GetUser": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("dynamodb:getItem"),
                "Arguments": {"TableName": "users", "Key": {"id": {"S": "{% $states.input.id %}"}}},
                "Assign": {
                    "user": "{% $states.result.Item %}",
                    "seen": "{% $number($states.result.Item.visits.N) %}",
                },
                "Output": {
                    "name": "{% $states.result.Item.name.S %}",
                    "tags": "{% $states.result.Item.tags.Ss %}",
                    "active": "{% $states.result.Item.active.Bool %}",
                },
                "Next": "Summary",
            },
            "Summary": {
                "Type": "Pass",
                "Output": {
                    "in": "{% $states.input %}",
                    "visitsPlusOne": "{% $seen + 1 %}",
                    "keys": "{% $sort($keys($user)) %}",
                },
                "End": True,
            },
        },
    },
    input={"id": "u1"},
    setup=_users,
)

JSONATA_DYNAMIC = Case(
    name="jsonata-dynamic-region-catch",
    about="A JSONata region expression ({% $states.input.where %}); a missing SSM parameter caught as "
    "Ssm.ParameterNotFoundException with Output {% $states.errorOutput %}.",
    definition={
        "QueryLanguage": "JSONata",
        "StartAt": "Host",
        "States": {
            "Host": {
                "Type": "Task",
                "Comment": "@sfnxr region={% $states.input.where %}",
                "Resource": _sdk("ssm:getParameter"),
                "Arguments": {"Name": "/app/db-host"},
                "Output": "{% $merge([$states.input, {'host': $states.result.Parameter.Value}]) %}",
                "Next": "Missing",
            },
            "Missing": {
                "Type": "Task",
                "Comment": "@sfnxr region={% $states.input.where %}",
                "Resource": _sdk("ssm:getParameter"),
                "Arguments": {"Name": "/app/not-there"},
                "Catch": [
                    {
                        "ErrorEquals": ["Ssm.ParameterNotFoundException"],
                        "Output": "{% $merge([$states.input, {'caught': $states.errorOutput}]) %}",
                        "Next": "Done",
                    }
                ],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    },
    input={"where": TARGET},
    setup=_parameters,
    expect_errors=("Ssm.ParameterNotFoundException",),
)


# ---------------------------------------------------------------------------------------------- callbacks


def _approvals(env: Env) -> None:
    queue(env, "approvals")


def _approval_definition() -> dict[str, Any]:
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("sqs:sendMessage.waitForTaskToken"),
                "Parameters": {
                    "QueueUrl": f"https://sqs.{TARGET}.amazonaws.com/{runner.ACCOUNT}/approvals",
                    "MessageBody": {"taskToken.$": "$$.Task.Token", "order.$": "$.order"},
                },
                "ResultPath": "$.approval",
                "Catch": [
                    {"ErrorEquals": ["Approval.Rejected"], "ResultPath": "$.rejection", "Next": "Rejected"}
                ],
                "Next": "Approved?",
            },
            "Approved?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.approval.approved", "BooleanEquals": True, "Next": "Approved"}],
                "Default": "Rejected",
            },
            "Approved": {"Type": "Pass", "End": True},
            "Rejected": {"Type": "Pass", "End": True},
        },
    }


CALLBACK_SUCCESS = Case(
    name="wait-for-task-token-success",
    about=".waitForTaskToken: the task sends the token to an SQS queue in us-west-2 (an object MessageBody "
    "becomes its JSON text); the harness answers with SendTaskSuccess, whose output is the task result.",
    definition=_approval_definition(),
    input={"order": {"id": "o-7", "total": 12.5}},
    setup=_approvals,
    callback=answer_task_from_queue(
        "approvals", output=lambda message: {"approved": True, "order": message["order"]["id"]}
    ),
)

CALLBACK_FAILURE = Case(
    name="wait-for-task-token-failure",
    about=".waitForTaskToken answered with SendTaskFailure: the task fails with the sender's error name, "
    "which a Catch takes.",
    definition=_approval_definition(),
    input={"order": {"id": "o-8", "total": 99}},
    setup=_approvals,
    callback=answer_task_from_queue("approvals", failure=("Approval.Rejected", "over the limit")),
    expect_errors=("Approval.Rejected",),
)


# ---------------------------------------------------------------------------------------------- values

NOT_UTF8 = b"\x00\xff\xfe\x80raw"


def _objects(env: Env) -> None:
    bucket(
        env,
        "sfnxr-values",
        {
            "text.txt": "héllo € 😀".encode(),
            "empty.txt": b"",
            "blob.bin": NOT_UTF8,
        },
    )


S3_VALUES = Case(
    name="s3-objects-binary-and-timestamps",
    about="S3 values: putObject with an object Body (stored as compact JSON, text/plain; charset=UTF-8 "
    "without ContentType) and a string Body (stored with its quotes), getObject of UTF-8, empty and "
    "non-UTF-8 bodies, headObject and listObjectsV2 timestamps (Instant form), no EncodingType.",
    definition={
        "StartAt": "PutJson",
        "States": {
            "PutJson": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("s3:putObject"),
                "Parameters": {"Bucket": "sfnxr-values", "Key": "put.json", "Body.$": "$.doc"},
                "ResultPath": "$.put",
                "Next": "PutString",
            },
            "PutString": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("s3:putObject"),
                "Parameters": {
                    "Bucket": "sfnxr-values",
                    "Key": "put.txt",
                    "Body": "text data",
                    "ContentType": "text/plain",
                },
                "ResultPath": "$.putString",
                "Next": "Head",
            },
            "Head": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("s3:headObject"),
                "Parameters": {"Bucket": "sfnxr-values", "Key": "put.json"},
                "ResultPath": "$.head",
                "Next": "Bodies",
            },
            "Bodies": {
                "Type": "Map",
                "ItemsPath": "$.keys",
                "ItemProcessor": {
                    "StartAt": "Get",
                    "States": {
                        "Get": {
                            "Type": "Task",
                            "Comment": at(TARGET),
                            "Resource": _sdk("s3:getObject"),
                            "Parameters": {"Bucket": "sfnxr-values", "Key.$": "$"},
                            "End": True,
                        }
                    },
                },
                "ResultPath": "$.bodies",
                "Next": "List",
            },
            "List": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("s3:listObjectsV2"),
                "Parameters": {"Bucket": "sfnxr-values"},
                "ResultPath": "$.listing",
                "End": True,
            },
        },
    },
    input={
        "doc": {"b": [1, 2.5, "x"], "a": None},
        "keys": ["text.txt", "empty.txt", "blob.bin", "put.json", "put.txt"],
    },
    setup=_objects,
    observe=lambda env: {key: s3_object(env, "sfnxr-values", key) for key in ("put.json", "put.txt")},
    native_unchecked=S3_GLOBAL,
    moto_deviation="Non-UTF-8 bytes: what Step Functions shows is not documented ([I]); both sides decode "
    "with U+FFFD replacement.",
)


def _values(env: Env) -> None:
    table(
        env,
        "values",
        [
            {
                "id": {"S": "v1"},
                "blob": {"B": b"hello\x00world"},
                "blobs": {"BS": [b"one", b"two"]},
                "created": {"S": "2024-01-02T03:04:05.120Z"},
                "epoch": {"N": "1704164645"},
                "flag": {"BOOL": True},
                "nothing": {"NULL": True},
                "nums": {"NS": ["1", "2.5"]},
                "tags": {"SS": ["a", "b"]},
                "nested": {"M": {"list": {"L": [{"S": "x"}, {"BOOL": False}, {"NULL": True}]}}},
            }
        ],
    )
    if decoys(env):
        table(env, "values", [{"id": {"S": "v1"}}], region=env.home)


DYNAMODB_VALUES = Case(
    name="dynamodb-binary-and-timestamps",
    about="DynamoDB values: an item with B, BS, BOOL, NULL, SS, NS, nested M/L and timestamp strings read "
    "back in Step Functions' spelling (Bool, Nul, Ss, Ns, Bs; blobs as text), written again from the task's "
    "own output (Item.$) and with a B given as a string (stored as compact JSON, quotes included); "
    "describeTable's CreationDateTime in Instant form.",
    definition={
        "StartAt": "Read",
        "States": {
            "Read": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("dynamodb:getItem"),
                "Parameters": {"TableName": "values", "Key": {"id": {"S": "v1"}}},
                "ResultPath": "$.read",
                "Next": "Copy",
            },
            "Copy": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("dynamodb:putItem"),
                "Parameters": {
                    "TableName": "values",
                    "Item": {
                        "id": {"S": "v2"},
                        "flag.$": "$.read.Item.flag",
                        "nothing.$": "$.read.Item.nothing",
                        "tags.$": "$.read.Item.tags",
                        "nested.$": "$.read.Item.nested",
                        "text": {"B": "aGVsbG8="},
                        "javaSpelled": {"Bool": False},
                        "javaNull": {"Nul": True},
                    },
                },
                "ResultPath": None,
                "Next": "Describe",
            },
            "Describe": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("dynamodb:describeTable"),
                "Parameters": {"TableName": "values"},
                "ResultSelector": {
                    "created.$": "$.Table.CreationDateTime",
                    "status.$": "$.Table.TableStatus",
                    "keys.$": "$.Table.KeySchema",
                    "billing.$": "$.Table.BillingModeSummary.BillingMode",
                },
                "ResultPath": "$.table",
                "End": True,
            },
        },
    },
    setup=_values,
    observe=lambda env: scan(env, "values"),
    moto_deviation="Blob text: documented for strings; the NUL byte stays a NUL character.",
)


def _events_queue(env: Env) -> None:
    queue(env, "events")


SQS_MEMBERS = Case(
    name="sqs-object-body-and-md5-members",
    about="SQS sendMessage with an object MessageBody and message attributes: the body is compact JSON (its "
    "MD5 shows it) and MD5OfMessageBody comes back as Md5OfMessageBody; receiveMessage reads it back.",
    definition={
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("sqs:sendMessage"),
                "Parameters": {
                    "QueueUrl": f"https://sqs.{TARGET}.amazonaws.com/{runner.ACCOUNT}/events",
                    "MessageBody.$": "$.event",
                    "MessageAttributes": {"kind": {"DataType": "String", "StringValue.$": "$.kind"}},
                },
                "ResultPath": "$.sent",
                "Next": "Receive",
            },
            "Receive": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("sqs:receiveMessage"),
                "Parameters": {
                    "QueueUrl": f"https://sqs.{TARGET}.amazonaws.com/{runner.ACCOUNT}/events",
                    "MessageAttributeNames": ["All"],
                    "MaxNumberOfMessages": 1,
                },
                "ResultPath": "$.received",
                "End": True,
            },
        },
    },
    input={"event": {"type": "created", "id": 7, "tags": ["a", "é"]}, "kind": "order"},
    setup=_events_queue,
    volatile=("ReceiptHandle",),
)


def _run_parameter_elsewhere(env: Env) -> None:
    if decoys(env):  # the original, run at home, finds the name taken: ParameterAlreadyExists
        env.client("ssm", env.home).put_parameter(
            Name="/runs/equivalence-run-0001/Record", Value="taken", Type="String"
        )


CONTEXT_OBJECT = Case(
    name="context-object-and-execution-name",
    about="Context object values in a rerouted task's Parameters ($$.Execution.Name, $$.State.Name, "
    "$$.Execution.Input) and a string member given an object (Value: JSON text).",
    definition={
        "StartAt": "Record",
        "States": {
            "Record": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("ssm:putParameter"),
                "Parameters": {
                    "Name.$": "States.Format('/runs/{}/{}', $$.Execution.Name, $$.State.Name)",
                    "Value.$": "$$.Execution.Input",
                    "Type": "String",
                },
                "ResultPath": "$.put",
                "Next": "ReadBack",
            },
            "ReadBack": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("ssm:getParameter"),
                "Parameters": {"Name.$": "States.Format('/runs/{}/Record', $$.Execution.Name)"},
                "ResultSelector": {
                    "value.$": "States.StringToJson($.Parameter.Value)",
                    "name.$": "$.Parameter.Name",
                },
                "ResultPath": "$.read",
                "End": True,
            },
        },
    },
    input={"who": "harness", "n": [1, 2]},
    setup=_run_parameter_elsewhere,
)


def _topic(env: Env) -> None:
    env.client("sns").create_topic(Name="alerts", Attributes={"DisplayName": "Alerts"})
    if decoys(env):
        env.client("sns", env.home).create_topic(Name="alerts", Attributes={"DisplayName": "Home"})


RESULT_PATH_NULL = Case(
    name="resultpath-null-and-outputpath",
    about="ResultPath null discards a rerouted SNS publish's result; OutputPath picks from a later rerouted "
    "task's result.",
    definition={
        "StartAt": "Publish",
        "States": {
            "Publish": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("sns:publish"),
                "Parameters": {"TopicArn.$": "$.topic", "Message.$": "States.JsonToString($.message)"},
                "ResultPath": None,
                "Next": "Attributes",
            },
            "Attributes": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("sns:getTopicAttributes"),
                "Parameters": {"TopicArn.$": "$.topic"},
                "ResultPath": "$.attributes",
                "OutputPath": "$.attributes.Attributes.DisplayName",
                "End": True,
            },
        },
    },
    input={"topic": f"arn:aws:sns:{TARGET}:{runner.ACCOUNT}:alerts", "message": {"level": "warn"}},
    setup=_topic,
)


def _machine(env: Env) -> None:
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    env.client("stepfunctions").create_state_machine(
        name="nightly-report", definition=definition, roleArn=runner.ROLE
    )
    if decoys(env):
        env.client("stepfunctions", env.home).create_state_machine(
            name="nightly-report", definition=definition, roleArn=runner.ROLE, type="EXPRESS"
        )


CAMEL_CASE_MODEL = Case(
    name="camelcase-model-sfn",
    about="A service whose model spells members in camelCase (Step Functions): describeStateMachine's "
    "result in PascalCase (StateMachineArn, CreationDate...), and Sfn.StateMachineDoesNotExistException.",
    definition={
        "StartAt": "Describe",
        "States": {
            "Describe": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("sfn:describeStateMachine"),
                "Parameters": {"StateMachineArn.$": "$.arn"},
                "ResultPath": "$.machine",
                "Next": "Missing",
            },
            "Missing": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("sfn:describeStateMachine"),
                "Parameters": {"StateMachineArn.$": "States.Format('{}-gone', $.arn)"},
                "Catch": [
                    {
                        "ErrorEquals": ["Sfn.StateMachineDoesNotExistException"],
                        "ResultPath": "$.error",
                        "Next": "Done",
                    }
                ],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    },
    input={"arn": f"arn:aws:states:{TARGET}:{runner.ACCOUNT}:stateMachine:nightly-report"},
    setup=_machine,
    volatile=("RevisionId",),
    expect_errors=("Sfn.StateMachineDoesNotExistException",),
)


def _volumes(env: Env) -> None:
    ec2 = env.client("ec2")
    ec2.create_volume(AvailabilityZone=f"{TARGET}a", Size=8, VolumeType="gp3")
    ec2.create_volume(
        AvailabilityZone=f"{TARGET}b",
        Size=20,
        VolumeType="io1",
        Iops=100,
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "team", "Value": "data"}]}],
    )


EC2_QUERY = Case(
    name="ec2-query-protocol",
    about="EC2 (the ec2 query protocol): describeVolumes with Filters, the full result (CreateTime as a "
    "timestamp, Tags, Iops...) sorted by a JSONPath filter in ResultSelector.",
    definition={
        "StartAt": "Volumes",
        "States": {
            "Volumes": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("ec2:describeVolumes"),
                "Parameters": {"Filters": [{"Name": "status", "Values": ["available"]}]},
                "ResultSelector": {
                    "big.$": "$.Volumes[?(@.Size > 10)]",
                    "small.$": "$.Volumes[?(@.Size <= 10)]",
                },
                "End": True,
            }
        },
    },
    setup=_volumes,
)


def _mixed(env: Env) -> None:
    table(env, "audit", region=env.home)  # the state annotated with the home region stays native
    env.client("ssm").put_parameter(Name="/app/stage", Value="prod", Type="String")


HOME_REGION_AND_NO_RETRY = Case(
    name="home-region-stays-native",
    about="--home-region us-east-1 --no-lambda-retry: a task annotated with the home region stays native "
    "(its annotation removed), the other is rerouted without the prepended Lambda retrier.",
    definition={
        "StartAt": "Stage",
        "States": {
            "Stage": {
                "Type": "Task",
                "Comment": at(TARGET),
                "Resource": _sdk("ssm:getParameter"),
                "Parameters": {"Name": "/app/stage"},
                "ResultSelector": {"stage.$": "$.Parameter.Value"},
                "ResultPath": "$.config",
                "Next": "Audit",
            },
            "Audit": {
                "Type": "Task",
                "Comment": f"The audit table is local. {at(HOME)}",
                "Resource": _sdk("dynamodb:putItem"),
                "Parameters": {
                    "TableName": "audit",
                    "Item": {"id": {"S.$": "$$.Execution.Name"}, "stage": {"S.$": "$.config.stage"}},
                },
                "ResultPath": None,
                "End": True,
            },
        },
    },
    transform_args=("--home-region", HOME, "--no-lambda-retry"),
    setup=_mixed,
    observe=lambda env: scan(env, "audit", env.home),
    moto_deviation="The reference runs everything in us-west-2, so the home-region table is made there too.",
)


CASES = (
    SELECTORS,
    INPUT_PATH,
    NO_PARAMETERS,
    INTRINSICS,
    CATCH_NO_SUCH_KEY,
    CATCH_HEAD_404,
    CATCH_RESOURCE_NOT_FOUND,
    CATCH_CONDITIONAL,
    CATCH_TASK_FAILED,
    CATCH_ALL,
    RETRY_THEN_CATCH,
    RETRY_SUCCEEDS,
    UNCAUGHT,
    MAP_IN_PARALLEL,
    MAP_OVER_REGIONS,
    JSONATA,
    JSONATA_DYNAMIC,
    CALLBACK_SUCCESS,
    CALLBACK_FAILURE,
    S3_VALUES,
    DYNAMODB_VALUES,
    SQS_MEMBERS,
    CONTEXT_OBJECT,
    RESULT_PATH_NULL,
    CAMEL_CASE_MODEL,
    EC2_QUERY,
    HOME_REGION_AND_NO_RETRY,
)
