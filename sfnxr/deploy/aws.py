"""The edge to AWS: a boto3 session and clients, and AWS errors worded for the user.

boto3 is imported here, inside functions, so that importing the CLI never loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sfnxr.deploy.models import DeployError

_ACCESS_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "AuthorizationError",
        "AuthorizationErrorException",
    }
)
_BAD_CREDENTIALS = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
    }
)
_EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
_IAM_OPERATIONS = frozenset(
    {"GetRole", "GetRolePolicy", "CreateRole", "UpdateAssumeRolePolicy", "PutRolePolicy"}
)
_MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class Clients:
    iam: Any
    lambda_: Any
    sts: Any
    region: str


def new_session(profile: str | None) -> Any:
    """A boto3 session (tests replace this function to watch the calls made)."""
    import boto3
    import botocore.exceptions

    try:
        return boto3.session.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound as error:
        raise DeployError(f"--profile: {error}") from error


def clients(session: Any, region: str, endpoint_url: str | None) -> Clients:
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5}, user_agent_extra="sfnxr-deploy")

    def make(service: str) -> Any:
        return session.client(service, region_name=region, endpoint_url=endpoint_url, config=config)

    return Clients(iam=make("iam"), lambda_=make("lambda"), sts=make("sts"), region=region)


def identity(aws: Clients) -> tuple[str, str]:
    """(account, partition) of the credentials in use."""
    answer = aws.sts.get_caller_identity()
    arn = str(answer.get("Arn", ""))
    partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
    return str(answer["Account"]), partition


def error_code(error: BaseException) -> str | None:
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    code = (response.get("Error") or {}).get("Code")
    return str(code) if code is not None else None


def describe(error: BaseException, region: str) -> str | None:
    """The user's one-line account of an AWS or credentials error; None when it is not one of those."""
    import botocore.exceptions as bx

    if isinstance(error, bx.NoCredentialsError | bx.PartialCredentialsError):
        return (
            "no AWS credentials found: pass --profile, set AWS_PROFILE, run `aws configure` or "
            "`aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(error, bx.ProfileNotFound):
        return f"--profile: {error}"
    if isinstance(error, bx.TokenRetrievalError | bx.SSOTokenLoadError | bx.UnauthorizedSSOTokenError):
        return f"cannot get AWS credentials: {error}"
    if isinstance(error, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return f"cannot reach AWS in {region} ({error}); check the region, the network, and --endpoint-url"
    if isinstance(error, bx.ClientError):
        code = error_code(error) or "Unknown"
        message = _one_line((error.response.get("Error") or {}).get("Message") or str(error))
        operation = str(getattr(error, "operation_name", "") or "the call")
        action = f"{_service_of(operation)}:{operation}"
        if code in _ACCESS_DENIED:
            return (
                f"AWS refused {action} ({message}): allow it to the identity running deploy-proxy "
                "(the README's 'What the identity running deploy-proxy needs' lists every action it calls)"
            )
        if code in _BAD_CREDENTIALS:
            return (
                f"AWS does not accept these credentials in {region} ({code}: {message}); "
                "check them, and that the region is enabled for the account"
            )
        if code in _EXPIRED:
            return f"the AWS credentials have expired ({message}): refresh them and run again"
        return f"{action} failed: {code}: {message}"
    if isinstance(error, bx.BotoCoreError):
        return f"AWS call failed: {_one_line(str(error))}"
    return None


def _service_of(operation: str) -> str:
    if operation == "GetCallerIdentity":
        return "sts"
    return "iam" if operation in _IAM_OPERATIONS else "lambda"


def _one_line(text: str) -> str:
    """AWS messages on one line and of a readable length (an unparsed error body can be a whole page)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= _MESSAGE_LIMIT else flat[: _MESSAGE_LIMIT - 3] + "..."
