"""Java v2 naming rules, against every documented example (research notes, issue 3, AWS docs)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfnxr_proxy.naming import (
    action_name,
    error_name,
    exception_name,
    java_service_name,
    pascal_case,
    sfn_member_name,
    split_on_word_boundaries,
    un_capitalize,
)


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("DBInstanceIdentifier", "DbInstanceIdentifier"),  # rds tasks in the corpus pass this
        ("DBInstances", "DbInstances"),  # ... and read $.DbInstances[0]
        ("BOOL", "Bool"),
        ("SS", "Ss"),
        ("ARN", "Arn"),
        ("SSEKMSKeyId", "SsekmsKeyId"),
        ("ETag", "ETag"),
        ("ChecksumCRC32", "ChecksumCRC32"),
        ("items", "Items"),  # API Gateway v1
        ("createdDate", "CreatedDate"),
        ("ingestionJob", "IngestionJob"),  # Bedrock Agent
        ("Equals", "EqualsValue"),  # documented: "API fields for equals ... EqualsValue"
        ("static", "StaticValue"),  # "The field "static" is not supported by Step Functions"
        ("Return", "ReturnValue"),  # Java keyword
        ("Default", "DefaultValue"),
        ("Notify", "NotifyValue"),  # java.lang.Object method
        ("Bucket", "Bucket"),
        ("S3Key", "S3Key"),
    ],
)
def test_member_names(member: str, expected: str) -> None:
    assert sfn_member_name(member) == expected


def test_dynamodb_null_is_renamed_by_the_java_customization() -> None:
    assert sfn_member_name("NULL", service="dynamodb", shape="AttributeValue") == "Nul"
    assert sfn_member_name("NULL", service="dynamodbstreams", shape="AttributeValue") == "Nul"
    assert sfn_member_name("BOOL", service="dynamodb", shape="AttributeValue") == "Bool"
    # without the customization, "null" is a Java keyword
    assert sfn_member_name("NULL") == "NullValue"
    assert sfn_member_name("NULL", service="rds", shape="AttributeValue") == "NullValue"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DBInstance", "dbInstance"),
        ("ETag", "eTag"),
        ("SSEKMSKeyId", "ssekmsKeyId"),
        ("ARN", "arn"),
        ("a", "a"),
    ],
)
def test_un_capitalize(name: str, expected: str) -> None:
    assert un_capitalize(name) == expected


def test_un_capitalize_refuses_empty() -> None:
    with pytest.raises(ValueError):
        un_capitalize(" ")


@pytest.mark.parametrize(
    ("text", "words"),
    [  # the examples in CodegenNamingUtils' comments
        ("acm-success", ["acm", "success"]),
        ("TESTv4", ["TEST", "v4"]),
        ("TestV4", ["Test", "V4"]),
        ("AcmSuccess", ["Acm", "Success"]),
        ("ACMSuccess", ["ACM", "Success"]),
        ("s3ec2", ["s3", "ec2"]),
        ("IoTAnalytics", ["Io", "T", "Analytics"]),
    ],
)
def test_split_on_word_boundaries(text: str, words: list[str]) -> None:
    assert split_on_word_boundaries(text) == words


@pytest.mark.parametrize(
    ("service_id", "name"),
    [
        ("S3", "S3"),
        ("DynamoDB", "DynamoDb"),
        ("SFN", "Sfn"),
        ("ACM PCA", "AcmPca"),  # documented: AcmPca.ResourceNotFoundException
        ("CloudWatch Logs", "CloudWatchLogs"),
        ("RDS", "Rds"),
        ("EC2", "Ec2"),
        ("IoTAnalytics", "IoTAnalytics"),
        ("FSx", "FSx"),
        ("SESv2", "SesV2"),
        ("WAFV2", "Wafv2"),
        ("Database Migration Service", "DatabaseMigration"),
        ("Elastic Load Balancing v2", "ElasticLoadBalancingV2"),
        ("Secrets Manager", "SecretsManager"),
        ("Bedrock Agent", "BedrockAgent"),
        ("Cognito Identity Provider", "CognitoIdentityProvider"),
        ("SSO Admin", "SsoAdmin"),
        ("EMR Serverless", "EmrServerless"),
        ("Redshift Data", "RedshiftData"),
        ("Resource Groups Tagging API", "ResourceGroupsTaggingApi"),
    ],
)
def test_java_service_name(service_id: str, name: str) -> None:
    assert java_service_name(service_id) == name


@pytest.mark.parametrize(
    ("shape", "exception"),
    [
        ("NoSuchKey", "NoSuchKeyException"),
        # documented: S3.BucketAlreadyExistsException
        ("BucketAlreadyExists", "BucketAlreadyExistsException"),
        ("ConditionalCheckFailedException", "ConditionalCheckFailedException"),
        ("DBInstanceNotFoundFault", "DbInstanceNotFoundException"),
        ("KMSInvalidStateException", "KmsInvalidStateException"),
        ("QueueDoesNotExist", "QueueDoesNotExistException"),
        ("ExecutionDoesNotExist", "ExecutionDoesNotExistException"),
    ],
)
def test_exception_name(shape: str, exception: str) -> None:
    assert exception_name(shape) == exception


def test_error_name() -> None:
    assert error_name("S3", "NoSuchKey", modeled=True) == "S3.NoSuchKeyException"
    assert error_name("Rds", "DBInstanceNotFoundFault", modeled=True) == "Rds.DbInstanceNotFoundException"
    assert (
        error_name("AcmPca", "ResourceNotFoundException", modeled=True) == "AcmPca.ResourceNotFoundException"
    )
    assert error_name("DynamoDb", "ValidationException", modeled=False) == "DynamoDb.DynamoDbException"
    assert error_name("Ec2", "InvalidVolume.NotFound", modeled=False) == "Ec2.Ec2Exception"


@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("GetObject", "getObject"),
        ("ListObjectsV2", "listObjectsV2"),
        ("DescribeDBInstances", "describeDBInstances"),
    ],
)
def test_action_name(operation: str, action: str) -> None:
    assert action_name(operation) == action


def test_pascal_case() -> None:
    assert pascal_case("acm-pca") == "AcmPca"


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,20}", fullmatch=True))
def test_member_name_only_changes_case_or_adds_value(member: str) -> None:
    name = sfn_member_name(member)
    assert name[0].isupper() or not name[0].isalpha()
    assert name.lower() in (member.lower(), member.lower() + "value")
