"""Patches applied inside the equivalence harness's moto server process, and nowhere else.

``tests.support.moto_entry`` runs :func:`apply` in the server process before moto starts serving
(``--patch tests.equivalence.moto_patches:apply``). Every patch below names what moto 5.2.5 gets wrong
and why the change is small; each is written against moto==5.2.5 exactly (:func:`apply` refuses any other
version, since the patched internals are private). Nothing here runs in the pytest process.

What the patches do (each function's docstring says what moto gets wrong):

1. ``route_lambda_to_proxy``: invocations of ``sfnxr-proxy`` run the real ``sfnxr_proxy.handler.handler``
   in this process, answering as Lambda's Python runtime does (an exception -> ``x-amz-function-error:
   Unhandled`` and the runtime's error JSON). ``sfnxr-proxy-raw`` runs the same handler made deliberately
   wrong (boto3's raw casing and error names) for the test that shows the harness catches a broken proxy.
   Any other function keeps moto's own behaviour (it echoes its payload).
2. ``sdk_tasks_as_step_functions``: aws-sdk error names as Step Functions spells them, from a hand-written
   prefix table independent of the project's catalog (moto: ``s3.NoSuchKeyException``); requests and results
   converted as Step Functions does (moto passes Parameters to boto3 untouched and returns boto3's raw
   result, where a StreamingBody or a datetime breaks DescribeExecution); the effective input as the request
   of a task without Parameters (moto sends ``{}``); service ids that are not boto3 names; boto3 clients that
   add no checksums of their own, like the Java SDK in Step Functions.
3. ``lambda_task_runtime_errors``: a Lambda task's own evaluation failures (a Parameters path missing from
   the input) are States.Runtime, as for every other task (moto: error "Exception").
4. ``jsonata_evaluator``: a JSONata evaluator (jsonata-python; moto ships none) and string values bound
   into expressions as JSON literals (moto writes them unescaped).
5. ``per_instance_query_language_scope``: the parser's query-language stack per parse (a class attribute in
   moto, so a failed JSONata parse breaks every later JSONPath parse).
6. ``context_start_time_as_text``: ``$$.Execution.StartTime`` is an ISO-8601 string, as in Step Functions
   (moto: a datetime).
7. ``scaled_time``: Wait states and Retry intervals run at ``TIME_SCALE`` (1 s of state machine time = 5 ms).
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

MOTO_VERSION = "5.2.5"
PROXY_FUNCTION = "sfnxr-proxy"
RAW_PROXY_FUNCTION = "sfnxr-proxy-raw"  # the deliberately broken proxy
TIME_SCALE = 0.005  # wall-clock seconds per state-machine second (Wait, Retry IntervalSeconds)
HOST = "127.0.0.1"

# --------------------------------------------------------------------------------------------------------
# Step Functions' names, written by hand from AWS documentation and the research notes, for the services
# the harness uses. Deliberately NOT read from sfnxr_proxy's catalog: the harness must be able to catch the
# catalog's mistakes.
# --------------------------------------------------------------------------------------------------------

# aws-sdk service id (Resource ARN) -> Java v2 service name, Step Functions' error prefix. AWS docs:
# "Both the service name and error name are in Pascal case" (S3.NoSuchKeyException,
# DynamoDb.ConditionalCheckFailedException, SecretsManager..., Sfn.InvalidTokenException); Java v2 names
# from each model's serviceId (research notes, "Service id").
ERROR_PREFIXES = {
    "s3": "S3",
    "dynamodb": "DynamoDb",
    "sqs": "Sqs",
    "sns": "Sns",
    "ssm": "Ssm",
    "secretsmanager": "SecretsManager",
    "sfn": "Sfn",
    "sts": "Sts",
    "acm": "Acm",
    "ec2": "Ec2",
    "glue": "Glue",
    "lambda": "Lambda",
    "kms": "Kms",
    "cloudwatchlogs": "CloudWatchLogs",
    "eventbridge": "EventBridge",
}

# aws-sdk service ids that are not boto3 client names (research notes: 23 of 445 differ). moto 5.2.5 maps
# only sfn/states -> stepfunctions.
BOTO3_NAMES = {"cloudwatchlogs": "logs", "eventbridge": "events"}

# Java v2 customization.config renames (research notes, "Field names"): DynamoDB's AttributeValue.NULL is
# generated as NUL, so Step Functions spells it "Nul" where the plain rule gives "Null".
MEMBER_CUSTOMIZATIONS = {("dynamodb", "AttributeValue", "NULL"): "Nul"}

# aws-sdk-java-v2, services/s3 ExceptionTranslationInterceptor: a 404 to a HEAD request (no error body).
S3_HEAD_404 = {"HeadObject": "NoSuchKeyException", "HeadBucket": "NoSuchBucketException"}

# research notes, "Request values": a Step Functions PutObject without ContentType stores this type.
S3_DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8"
# botocore asks for url-encoded keys in these listings by itself and reports EncodingType "url"; the Java
# SDK does not, so Step Functions' result has no EncodingType (botocore set_list_objects_encoding_type_url).
S3_AUTO_ENCODED = {"ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads"}


def _set(owner: Any, name: str, value: Any) -> None:
    """Replace ``owner.name`` (every patch goes through here)."""
    setattr(owner, name, value)


def java_member_name(member: str) -> str:
    """Java v2 bean-property name of a model member: Capitalize(unCapitalize(member)), where unCapitalize
    lowercases the leading run of capitals but keeps its last one when a lowercase letter follows
    (aws-sdk-java-v2 codegen Utils.unCapitalize; research notes' table: DBInstanceIdentifier ->
    DbInstanceIdentifier, BOOL -> Bool, SS -> Ss, ARN -> Arn, ETag -> ETag, createdDate -> CreatedDate)."""
    if not member:
        return member
    chars = [member[0].lower()]
    i = 1
    while i < len(member) and member[i].isupper() and not (i < len(member) - 1 and member[i + 1].islower()):
        chars.append(member[i].lower())
        i += 1
    lowered = "".join(chars) + member[i:]
    return lowered[0].upper() + lowered[1:]


def java_exception_name(shape: str) -> str:
    """Java v2 exception class of an error shape: ``...Fault`` -> ``...Exception``, ``...Exception`` kept,
    anything else gets ``Exception`` appended, pascal-cased like a member (research notes, "Errors")."""
    if shape.endswith("Fault"):
        shape = shape[: -len("Fault")] + "Exception"
    elif not shape.endswith("Exception"):
        shape += "Exception"
    return java_member_name(shape)


def instant(value: datetime) -> str:
    """Java ``Instant.toString`` (the exact form is the research notes' inference, [I]): UTC, ``Z``, the
    fraction only when non-zero, in groups of three digits."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        fraction = f"{value.microsecond:06d}"
        text += "." + (fraction[:3] if fraction.endswith("000") else fraction)
    return text + "Z"


def _utf8(data: Any) -> str:
    if hasattr(data, "read"):
        data = data.read()
    if isinstance(data, (bytes, bytearray)):
        # Documented: blobs and streaming bodies come back as UTF-8 strings. What Step Functions shows for
        # bytes that are not UTF-8 is not documented ([I]); U+FFFD is the Java String constructor's choice.
        return bytes(data).decode("utf-8", errors="replace")
    return str(data)


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sfn_request(service: str, shape: Any, value: Any) -> Any:
    """Step Functions' Parameters for ``shape`` -> boto3's arguments (research notes, "Request values"):
    members in either spelling, blobs as compact JSON (strings included), a non-string given to a string
    member as its JSON text."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict) and not shape.metadata.get("document"):
        by_java = {java_member_name(m): m for m in shape.members}
        for (svc, shape_name, customized), java in MEMBER_CUSTOMIZATIONS.items():
            if svc == service and shape_name == shape.name:
                by_java[java] = customized
        result = {}
        for key, item in value.items():
            member = key if key in shape.members else by_java.get(key, key)
            member_shape = shape.members.get(member)
            result[member] = sfn_request(service, member_shape, item) if member_shape else item
        return result
    if kind == "list" and isinstance(value, list):
        return [sfn_request(service, shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: sfn_request(service, shape.value, v) for k, v in value.items()}
    if kind == "blob":
        return value if isinstance(value, bytes) else _json_text(value).encode("utf-8")
    if kind == "string" and not isinstance(value, str):
        return _json_text(value)
    return value


def sfn_result(service: str, shape: Any, value: Any) -> Any:
    """boto3's result for ``shape`` -> Step Functions' (research notes, "Response values"): Java v2 member
    names (structures only; map keys are data), no undeclared members (ResponseMetadata), timestamps as
    ISO-8601, blobs and streaming bodies as UTF-8 text."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict) and not shape.metadata.get("document"):
        result = {}
        for member, item in value.items():
            if member not in shape.members or item is None:
                continue
            name = MEMBER_CUSTOMIZATIONS.get((service, shape.name, member)) or java_member_name(member)
            result[name] = sfn_result(service, shape.members[member], item)
        return result
    if kind == "list" and isinstance(value, list):
        return [sfn_result(service, shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: sfn_result(service, shape.value, v) for k, v in value.items()}
    if isinstance(value, datetime):
        return instant(value)
    if kind == "blob" or isinstance(value, (bytes, bytearray)) or hasattr(value, "read"):
        return _utf8(value)
    return value


# --------------------------------------------------------------------------------------------------------
# 1. Lambda -> the real proxy handler
# --------------------------------------------------------------------------------------------------------

# One warm container: Lambda gives a container one event at a time, and the handler's caches (a boto3
# session, clients) are not meant for concurrent use. A Map of proxy calls therefore runs its calls one by
# one here, which changes timing only.
_container = threading.Lock()


class LambdaContext:
    """What Lambda's Python runtime passes as ``context`` (the parts a handler may read)."""

    def __init__(self, function_arn: str, function_name: str, timeout_s: int) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = function_arn
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = "128"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def runtime_error(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The error JSON of Lambda's Python runtime (awslambdaric ``make_error``): errorType is the exception
    class's ``__name__``, errorMessage its ``str``."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        # the runtime lists the frames from the handler down (the frame that called it is not the function's)
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:]),
    }


def _lambda_environment(region: str) -> None:
    # The function's environment as Lambda sets it: its own region; boto3 reaches this same server.
    os.environ["AWS_REGION"] = region
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ["AWS_ENDPOINT_URL"] = f"http://{HOST}:{os.environ['MOTO_PORT']}"
    os.environ["SFNXR_ALLOW"] = "*"
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = PROXY_FUNCTION


def route_lambda_to_proxy() -> None:
    """moto 5.2.5's ``LambdaSimpleBackend.invoke`` (``{"lambda": {"use_docker": false}}``) runs no code and
    does not even check that the function exists. Here the function is looked up first (an unknown one
    fails as Lambda's ResourceNotFoundException), the proxy functions run the real handler, and every other
    function keeps moto's echo."""
    from moto.awslambda_simple.models import LambdaSimpleBackend

    original = LambdaSimpleBackend.invoke

    def invoke(
        self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any
    ) -> Any:
        function = self.get_function(function_name, qualifier)
        if function.function_name not in (PROXY_FUNCTION, RAW_PROXY_FUNCTION):
            return original(self, function_name, qualifier, body, headers, response_headers)
        text = body.decode() if isinstance(body, bytes) else (body or "")
        event = json.loads(text) if text.strip() else {}
        context = LambdaContext(function.function_arn, function.function_name, int(function.timeout or 3))
        with _container:
            _lambda_environment(function.region)
            from sfnxr_proxy import handler

            with _raw_proxy(function.function_name == RAW_PROXY_FUNCTION):
                try:
                    answer: Any = handler.handler(event, context)
                except Exception as exc:
                    response_headers["x-amz-function-error"] = "Unhandled"
                    answer = runtime_error(exc, context.aws_request_id)
        return json.dumps(answer).encode()

    _set(LambdaSimpleBackend, "invoke", invoke)


class _raw_proxy:
    """While active, the proxy answers with boto3's raw casing and raw error names (``s3.NoSuchKey``), as a
    proxy that simply returned boto3's answer would. Used only through ``sfnxr-proxy-raw``."""

    def __init__(self, active: bool) -> None:
        self.active = active
        self.saved: dict[str, Any] = {}

    def __enter__(self) -> None:
        if not self.active:
            return
        from sfnxr_proxy import errors, handler

        self.saved = {name: getattr(handler, name) for name in ("from_response", "service_error")}

        def raw_result(service: str, shape: Any, value: Any) -> Any:
            return _plain({k: v for k, v in value.items() if k != "ResponseMetadata"})

        def raw_error(*, boto3_name: str, response: dict[str, Any], **_: Any) -> Exception:
            code = str((response.get("Error") or {}).get("Code") or "Unknown")
            return errors.make_error(f"{boto3_name}.{code}", str(response.get("Error")))

        _set(handler, "from_response", raw_result)
        _set(handler, "service_error", raw_error)

    def __exit__(self, *exc: object) -> None:
        from sfnxr_proxy import handler

        for name, value in self.saved.items():
            _set(handler, name, value)


def _plain(value: Any) -> Any:
    """boto3's values made JSON-serialisable without renaming anything (for the raw proxy)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)) or hasattr(value, "read"):
        return _utf8(value)
    return value


# --------------------------------------------------------------------------------------------------------
# 2. aws-sdk tasks as Step Functions runs them; 3. Lambda tasks' own failures
# --------------------------------------------------------------------------------------------------------


def sdk_tasks_as_step_functions() -> None:
    """moto 5.2.5's ``StateTaskServiceAwsSdk``:

    - names errors ``<boto3 name>.<ExceptionClass>`` (``s3.NoSuchKeyException``, ``Service: s3`` in the
      Cause), where Step Functions uses the Java service name (``S3.NoSuchKeyException``) and Java's
      exception naming (``...Fault`` -> ``...Exception``); the prefixes come from ``ERROR_PREFIXES``;
    - sends ``{}`` for a task without Parameters, where Step Functions sends the effective input;
    - fails the execution with States.Runtime when a service error has no request id;
    - keeps ``_normalise_parameters``/``_normalise_response`` as no-ops (the shape-driven conversions the
      interpreter was written with, ``_to_boto_request``/``_from_boto_response``, are present but never
      called), so Parameters reach boto3 as written and the task result is boto3's raw dict, where a
      StreamingBody or datetime makes DescribeExecution fail. Here they convert as the research notes
      document Step Functions doing (``sfn_request``/``sfn_result`` above);
    - maps only ``sfn`` to a boto3 name; ``BOTO3_NAMES`` adds the others the harness uses;
    - uses boto3 clients whose default (botocore >= 1.36) adds request checksums and asks for response ones;
      the Java SDK behind Step Functions shows none in GetObject (research notes), so the clients here
      compute checksums only when an operation requires them.
    """
    import boto3
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service,
        state_task_service_aws_sdk,
    )

    sdk = state_task_service_aws_sdk.StateTaskServiceAwsSdk
    service = state_task_service.StateTaskService
    overrides = {**service._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES, **BOTO3_NAMES}
    _set(service, "_SERVICE_NAME_SFN_TO_BOTO_OVERRIDES", overrides)

    session = botocore.session.get_session()
    models: dict[str, Any] = {}

    def operation_model(task: Any) -> tuple[str, Any]:
        boto3_name = task._get_boto_service_name()
        model = models.get(boto3_name)
        if model is None:
            model = models[boto3_name] = session.get_service_model(boto3_name)
        action = task.resource.api_action
        return boto3_name, model.operation_model(action[0].upper() + action[1:])

    def normalise_parameters(self: Any, parameters: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        boto3_name, operation = operation_model(self)
        converted = sfn_request(self.resource.api_name, operation.input_shape, parameters)
        if boto3_name == "s3" and operation.name == "PutObject":
            converted.setdefault("ContentType", S3_DEFAULT_CONTENT_TYPE)
        self._sfnxr_request = converted
        parameters.clear()
        parameters.update(converted)

    def normalise_response(self: Any, response: Any, *args: Any, **kwargs: Any) -> None:
        if not isinstance(response, dict):
            return
        boto3_name, operation = operation_model(self)
        request = getattr(self, "_sfnxr_request", {})
        if boto3_name == "s3" and operation.name in S3_AUTO_ENCODED and "EncodingType" not in request:
            response.pop("EncodingType", None)
        converted = sfn_result(self.resource.api_name, operation.output_shape, response)
        response.clear()
        response.update(converted or {})

    def error_prefix(service_name: str) -> str:
        return ERROR_PREFIXES.get(service_name.lower(), service_name)

    def exception_name(norm_service_name: str, ex: Exception) -> str:
        assert isinstance(ex, ClientError)
        status = ex.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if norm_service_name == "S3" and status == 404 and ex.operation_name in S3_HEAD_404:
            # A HEAD answer has no body to name the error; the Java SDK's S3 ExceptionTranslationInterceptor
            # names a 404 NoSuchKey (HeadObject) or NoSuchBucket (HeadBucket). botocore leaves code "404".
            return f"S3.{S3_HEAD_404[ex.operation_name]}"
        if type(ex).__name__ == "ClientError":  # an error the model does not declare
            return f"{norm_service_name}.{norm_service_name}Exception"
        return f"{norm_service_name}.{java_exception_name(type(ex).__name__)}"

    original_eval_parameters = sdk._eval_parameters
    original_from_error = sdk._from_error

    def eval_parameters(self: Any, env: Any) -> Any:
        if self.parargs is None and self._is_language_query_jsonpath():
            # No Parameters: Step Functions sends the effective input (after InputPath) as the request
            # (AWS docs, "Parameters"); moto 5.2.5 sends {}.
            effective = env.stack[-1] if env.stack else {}
            return copy.deepcopy(effective) if isinstance(effective, dict) else {}
        return original_eval_parameters(self, env)

    def from_error(self: Any, env: Any, ex: Exception) -> Any:
        if isinstance(ex, ClientError):
            # moto's own error answers do not always carry a request id; its interpreter then fails the
            # whole execution with States.Runtime KeyError('RequestId') instead of naming the error.
            ex.response.setdefault("ResponseMetadata", {}).setdefault("RequestId", "null")
        return original_from_error(self, env, ex)

    _set(sdk, "_eval_parameters", eval_parameters)
    _set(sdk, "_from_error", from_error)
    _set(sdk, "_normalise_parameters", normalise_parameters)
    _set(sdk, "_normalise_response", normalise_response)
    _set(sdk, "_normalise_service_error_name", staticmethod(error_prefix))
    _set(sdk, "_normalise_exception_name", staticmethod(exception_name))

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        # moto's own client (server mode), with the Java SDK's checksum behaviour (see the docstring).
        return boto3.client(
            service_name=service,
            region_name=region,
            endpoint_url=f"http://localhost:{os.environ['MOTO_PORT']}",
            aws_access_key_id="ak",
            aws_secret_access_key="sk",
            config=Config(
                parameter_validation=False,
                retries={"max_attempts": 0, "total_max_attempts": 1},
                connect_timeout=300,
                read_timeout=300,
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    _set(state_task_service_aws_sdk, "boto_client_for", boto_client_for)


def lambda_task_runtime_errors() -> None:
    """A Task whose Resource is a Lambda function reports any failure that is not the function's (a
    Parameters path missing from the input...) as error "Exception" in moto 5.2.5; every other task, and
    Step Functions itself, reports States.Runtime. Such failures go to the generic path here."""
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import (
        StateTaskLambda,
    )

    original = StateTaskLambda._from_error
    own = (TimeoutError, FailureEventException, ClientError, lambda_eval_utils.LambdaFunctionErrorException)

    def _from_error(self: Any, env: Any, ex: Exception) -> Any:
        if isinstance(ex, own):
            return original(self, env, ex)
        return ExecutionState._from_error(self, env, ex)

    _set(StateTaskLambda, "_from_error", _from_error)


# --------------------------------------------------------------------------------------------------------
# 4. JSONata
# --------------------------------------------------------------------------------------------------------


def jsonata_evaluator() -> None:
    """moto 5.2.5 leaves ``jsonata._eval_jsonata`` as None (LocalStack evaluates JSONata in a JVM that moto
    does not ship), so any JSONata state fails with "'NoneType' object is not callable". jsonata-python
    evaluates the same composed expressions. Its ``encode_jsonata_variable_declarations`` also writes a
    string value as ``"<value>"`` without escaping, so a value holding a quote or a backslash (an S3 Body
    with JSON in it) breaks the expression: strings are written as JSON string literals here."""
    import jsonata
    from moto.stepfunctions.parser.asl.eval import states, variable_store
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    def evaluate(expression: str) -> Any:
        try:
            return _json_value(jsonata.Jsonata(expression).evaluate(None))
        except Exception as exc:
            raise moto_jsonata.JSONataException("UNKNOWN", str(exc)) from exc

    def encode(bindings: dict[str, Any]) -> str:
        return "".join(
            f"{name}:={to_json_str(value, separators=(',', ':'))};" for name, value in bindings.items()
        )

    moto_jsonata._eval_jsonata = evaluate
    _set(states, "encode_jsonata_variable_declarations", encode)
    _set(variable_store, "encode_jsonata_variable_declarations", encode)


def _json_value(value: Any) -> Any:
    """jsonata-python's result as plain JSON values (as moto's JVM bridge returns them)."""
    return json.loads(json.dumps(value, default=lambda v: list(v) if isinstance(v, (list, tuple)) else None))


# --------------------------------------------------------------------------------------------------------
# 5. + 6. Parser state, context object
# --------------------------------------------------------------------------------------------------------


def per_instance_query_language_scope() -> None:
    """``Preprocessor._query_language_per_scope`` is a class-level list in moto 5.2.5: a parse that fails
    inside a JSONata scope never pops it, and every later parse, in every thread, starts inside that stale
    JSONata scope ("Cannot downgrade from JSONata context to a JSONPath context"). One list per parse."""
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    original_init = Preprocessor.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._query_language_per_scope = []

    _set(Preprocessor, "__init__", __init__)


def context_start_time_as_text() -> None:
    """moto 5.2.5 puts the execution's start as a ``datetime`` in the context object, where Step Functions
    has an ISO-8601 string (AWS docs, "Context object": ``"StartTime": "2019-03-26T20:14:13.192Z"``); a
    ``$$.Execution.StartTime`` given to a string member then cannot even be serialised. The string here
    has the documented form (UTC, milliseconds, ``Z``)."""
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    original = ExecutionWorker._get_evaluation_environment

    def _get_evaluation_environment(self: Any) -> Any:
        env = original(self)
        execution = env.states.context_object.context_object_data["Execution"]
        start = execution.get("StartTime")
        if isinstance(start, datetime):
            start = start.astimezone(UTC) if start.tzinfo else start
            execution["StartTime"] = (
                start.strftime("%Y-%m-%dT%H:%M:%S.") + f"{start.microsecond // 1000:03d}Z"
            )
        return env

    _set(ExecutionWorker, "_get_evaluation_environment", _get_evaluation_environment)


# --------------------------------------------------------------------------------------------------------
# 7. Time
# --------------------------------------------------------------------------------------------------------


class _ScaledTime:
    """Stands in for the ``time`` module inside moto's retrier: ``sleep`` runs at ``TIME_SCALE``."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds * TIME_SCALE)


def scaled_time() -> None:
    """Wait states and Retry intervals take real time in moto (a sample's 30 s Wait, a retrier's 2 s
    IntervalSeconds); in this test server they take ``TIME_SCALE`` of it. Only waiting is scaled: what is
    waited for, in what order, and the timestamps Step Functions computes are unchanged."""
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    _set(retrier_decl, "time", _ScaledTime())

    def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds * TIME_SCALE)

    _set(WaitFunction, "_wait_interval", _wait_interval)


# --------------------------------------------------------------------------------------------------------


def _environment() -> None:
    """The server's own AWS settings: dummy credentials, nothing from the developer's machine. MOTO_PORT is
    left for moto's main to set from --port (its Step Functions interpreter calls the server through it)."""
    for key in ("MOTO_PORT", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(key, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
    )


PATCHES: tuple[Callable[[], None], ...] = (
    route_lambda_to_proxy,
    sdk_tasks_as_step_functions,
    lambda_task_runtime_errors,
    jsonata_evaluator,
    per_instance_query_language_scope,
    context_start_time_as_text,
    scaled_time,
)


def apply() -> None:
    """The ``--patch`` entry: check the pinned moto, then apply every patch."""
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise SystemExit(f"tests/equivalence patches moto {MOTO_VERSION} internals; found {moto.__version__}")
    _environment()
    for patch in PATCHES:
        patch()
