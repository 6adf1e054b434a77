"""Error names and Cause texts from botocore's error responses, without a server."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
import pytest

from sfnxr_proxy.errors import ProxyError, client_error, error_class, service_error


@cache
def _model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def _error(
    service: str, prefix: str, operation: str, code: str, message: str = "m", status: int = 400, **error: Any
) -> ProxyError:
    response = {
        "Error": {"Code": code, "Message": message, **error},
        "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": status, "RetryAttempts": 0},
    }
    return service_error(
        prefix=prefix,
        boto3_name=service,
        operation=operation,
        service_model=_model(service),
        response=response,
    )


@pytest.mark.parametrize(
    ("service", "prefix", "operation", "code", "name"),
    [
        ("s3", "S3", "GetObject", "NoSuchKey", "S3.NoSuchKeyException"),
        ("s3", "S3", "GetObject", "NoSuchBucket", "S3.NoSuchBucketException"),
        ("s3", "S3", "GetObject", "SignatureDoesNotMatch", "S3.S3Exception"),
        (
            "dynamodb",
            "DynamoDb",
            "PutItem",
            "ConditionalCheckFailedException",
            "DynamoDb.ConditionalCheckFailedException",
        ),
        ("dynamodb", "DynamoDb", "PutItem", "ValidationException", "DynamoDb.DynamoDbException"),
        ("rds", "Rds", "DescribeDBInstances", "DBInstanceNotFound", "Rds.DbInstanceNotFoundException"),
        ("ec2", "Ec2", "DescribeVolumes", "InvalidVolume.NotFound", "Ec2.Ec2Exception"),
        ("kms", "Kms", "Encrypt", "KMSInvalidStateException", "Kms.KmsInvalidStateException"),
        ("stepfunctions", "Sfn", "SendTaskSuccess", "InvalidToken", "Sfn.InvalidTokenException"),
        (
            "secretsmanager",
            "SecretsManager",
            "GetSecretValue",
            "Oops",
            "SecretsManager.SecretsManagerException",
        ),
    ],
)
def test_error_names(service: str, prefix: str, operation: str, code: str, name: str) -> None:
    error = _error(service, prefix, operation, code)
    assert type(error).__name__ == name
    assert error.error == name


def test_query_compatible_errors_use_the_shape() -> None:
    # botocore: Code is the awsQuery code, QueryErrorCode the JSON error shape
    error = _error(
        "sqs",
        "Sqs",
        "GetQueueUrl",
        "AWS.SimpleQueueService.NonExistentQueue",
        QueryErrorCode="QueueDoesNotExist",
    )
    assert type(error).__name__ == "Sqs.QueueDoesNotExistException"


def test_s3_head_requests_404_like_the_java_sdk() -> None:
    assert type(_error("s3", "S3", "HeadObject", "404", "Not Found", 404)).__name__ == "S3.NoSuchKeyException"
    assert (
        type(_error("s3", "S3", "HeadBucket", "404", "Not Found", 404)).__name__ == "S3.NoSuchBucketException"
    )
    assert type(_error("s3", "S3", "HeadObject", "403", "Forbidden", 403)).__name__ == "S3.S3Exception"


def test_cause_text() -> None:
    response = {
        "Error": {"Code": "NoSuchKey", "Message": "The specified key does not exist."},
        "ResponseMetadata": {"RequestId": "R1", "HostId": "H1", "HTTPStatusCode": 404, "RetryAttempts": 1},
    }
    error = service_error(
        prefix="S3", boto3_name="s3", operation="GetObject", service_model=_model("s3"), response=response
    )
    assert str(error) == (
        "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: R1, "
        "Extended Request ID: H1) (SDK Attempt Count: 2)"
    )
    assert error.request_id == "R1"


def test_client_errors_and_classes() -> None:
    error = client_error("S3", ConnectionError("refused"))
    assert type(error).__name__ == "S3.SdkClientException"
    assert "Unable to execute HTTP request" in str(error)
    assert error_class("S3.NoSuchKeyException") is error_class("S3.NoSuchKeyException")
    assert issubclass(error_class("X.Y"), ProxyError)
