"""Step Functions' spelling of service, action, member and error names.

Step Functions' aws-sdk integration runs on the AWS SDK for Java v2, and every name it shows follows that
SDK's code generator (software.amazon.awssdk.codegen), not the raw service model:

- service name (error prefix): ``DefaultNamingStrategy.getServiceName`` = ``pascalCase(metadata.serviceId)``
  with a leading ``Amazon``/``Aws`` and a trailing ``Service`` removed. The id in
  ``arn:aws:states:::aws-sdk:SERVICE:ACTION`` is that name lowercased (AWS docs: "You can also see the
  service name, in lowercase, in the Task state's Resource field").
- action: the Java method name, ``Utils.unCapitalize(operationName)``.
- member (field) name: the bean property, ``capitalize(rewriteInvalidMemberName(unCapitalize(member)))``:
  a Java keyword or a reserved method name gets ``Value`` appended (documented: ``Equals`` ->
  ``EqualsValue``), after the per-service ``customization.config`` renames (``emitPropertyName``).
- error: ``getExceptionName(shape)``: a ``...Fault`` shape becomes ``...Exception``, ``...Exception`` is
  kept, anything else gets ``Exception`` appended, all pascal-cased; an error the model does not declare is
  the service's base exception ``<Service>Exception``.

Only the standard library is used: the CLI imports this module and must stay fast.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Java keywords (DefaultNamingStrategy.RESERVED_KEYWORDS); compared with the uncapitalized name and with its
# lowercase form, as isJavaKeyword does.
# fmt: off
_JAVA_KEYWORDS = frozenset([
    "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
    "continue", "default", "do", "double", "else", "enum", "extends", "false", "final", "finally",
    "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long",
    "native", "new", "null", "package", "private", "protected", "public", "return", "short", "static",
    "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "true",
    "try", "void", "volatile", "while",
])
# fmt: on
# DefaultNamingStrategy.RESERVED_STRUCTURE_METHOD_NAMES: java.lang.Object's methods plus the SDK's own POJO
# methods. Compared exactly (case-sensitive) with the uncapitalized name.
# fmt: off
_RESERVED_STRUCTURE_METHODS = frozenset([
    "equals", "finalize", "getClass", "hashCode", "notify", "notifyAll", "toString", "wait", "builder",
    "sdkFields", "toBuilder", "overrideConfiguration", "sdkHttpResponse",
])
# fmt: on
# Constant.CONFLICTING_NAME_SUFFIX
_CONFLICT_SUFFIX = "Value"

# The exceptions table: AWS SDK for Java v2 customization.config "emitPropertyName" renames that Step
# Functions is known to show. Keyed by (boto3 service name, shape name, model member name).
# - services/dynamodb/src/main/resources/codegen-resources/dynamodb/customization.config renames
#   AttributeValue.NULL to NUL, so Step Functions spells it "Nul" (documented in the research notes; the
#   keyword rule alone would give "NullValue"). DynamoDB Streams shares DynamoDB's model classes
#   ("shareModelsWith": "dynamodb"), hence the same rename.
# Not included, on purpose: EC2's renames (IpPermission.IpRanges -> Ipv4Ranges, ...) and its
# shapeSubstitutions; the AWS sample ec2-instance-isolation passes DisableApiTermination as {"Value": ...},
# so Step Functions does not apply the substitutions, and nothing confirms the renames.
# See the README: "The proxy", "Known gaps".
CUSTOMIZATION_RENAMES: dict[tuple[str, str, str], str] = {
    ("dynamodb", "AttributeValue", "NULL"): "NUL",
    ("dynamodbstreams", "AttributeValue", "NULL"): "NUL",
}


def un_capitalize(name: str) -> str:
    """Java v2 ``Utils.unCapitalize``: lowercase the leading run of capitals, keeping the last one of the run
    when a lowercase letter follows it (``DBInstance`` -> ``dbInstance``, ``ETag`` -> ``eTag``,
    ``SSEKMSKeyId`` -> ``ssekmsKeyId``, ``ARN`` -> ``arn``)."""
    if not name.strip():
        raise ValueError("name cannot be empty")
    i = 1
    while i < len(name) and name[i].isupper() and not (i < len(name) - 1 and name[i + 1].islower()):
        i += 1
    return name[:i].lower() + name[i:]


def capitalize(name: str) -> str:
    """Java v2 ``Utils.capitalize``: upper-case the first character only."""
    return name[:1].upper() + name[1:]


def split_on_word_boundaries(text: str) -> list[str]:
    """Java v2 ``CodegenNamingUtils.splitOnWordBoundaries`` (the same regular expressions, in order)."""
    result = re.sub(r"[^A-Za-z0-9]+", " ", text)
    result = re.sub(r"([^a-z]{2,})v([0-9]+)", r"\1 v\2 ", result)
    result = re.sub(r"([^A-Z]{2,})V([0-9]+)", r"\1 V\2 ", result)
    result = " ".join(re.split(r"(?<=[a-z])(?=[A-Z][a-zA-Z0-9])", result))
    result = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", result)
    result = re.sub(r"([0-9])([a-zA-Z])", r"\1 \2", result)
    result = re.sub(r" +", " ", result).strip()
    return result.split(" ")


def pascal_case(text: str) -> str:
    """Java v2 ``CodegenNamingUtils.pascalCase``: each word lowercased, then capitalized, joined."""
    return "".join(capitalize(word.lower()) for word in split_on_word_boundaries(text))


def java_service_name(service_id: str) -> str:
    """Java v2 ``DefaultNamingStrategy.getServiceName`` from a model's ``metadata.serviceId``:
    ``DynamoDB`` -> ``DynamoDb``, ``SFN`` -> ``Sfn``, ``ACM PCA`` -> ``AcmPca``, ``CloudWatch Logs`` ->
    ``CloudWatchLogs``, ``Database Migration Service`` -> ``DatabaseMigration``."""
    name = pascal_case(service_id)
    for prefix in ("Amazon", "Aws"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if name.endswith("Service"):
        name = name[: -len("Service")]
    return name


@lru_cache(maxsize=8192)
def sfn_member_name(member: str, *, service: str | None = None, shape: str | None = None) -> str:
    """The name Step Functions uses for the model member ``member`` of structure ``shape`` in the service
    whose boto3 name is ``service``: ``DBInstanceIdentifier`` -> ``DbInstanceIdentifier``, ``ingestionJob``
    -> ``IngestionJob``, ``Equals`` -> ``EqualsValue``, ``static`` -> ``StaticValue``, DynamoDB's
    ``AttributeValue.NULL`` -> ``Nul``."""
    if service is not None and shape is not None:
        member = CUSTOMIZATION_RENAMES.get((service, shape, member), member)
    name = un_capitalize(member)
    if name in _JAVA_KEYWORDS or name.lower() in _JAVA_KEYWORDS or name in _RESERVED_STRUCTURE_METHODS:
        name = un_capitalize(name + _CONFLICT_SUFFIX)
    return capitalize(name)


def action_name(operation: str) -> str:
    """Java v2 method name of an operation: ``GetObject`` -> ``getObject``, ``ListObjectsV2`` ->
    ``listObjectsV2``, ``DescribeDBInstances`` -> ``describeDBInstances``."""
    return un_capitalize(operation)


def exception_name(error_shape: str) -> str:
    """Java v2 ``DefaultNamingStrategy.getExceptionName``: ``DBInstanceNotFoundFault`` ->
    ``DbInstanceNotFoundException``, ``NoSuchKey`` -> ``NoSuchKeyException``,
    ``ConditionalCheckFailedException`` -> ``ConditionalCheckFailedException``."""
    if error_shape.endswith("Fault"):
        return pascal_case(error_shape[: -len("Fault")]) + "Exception"
    if error_shape.endswith("Exception"):
        return pascal_case(error_shape)
    return pascal_case(error_shape) + "Exception"


def error_name(prefix: str, error_code_or_shape: str, *, modeled: bool) -> str:
    """Step Functions' error name: ``<prefix>.<exception name>`` for an error shape the model declares
    (``S3.NoSuchKeyException``, ``Rds.DbInstanceNotFoundException``), else the service's base exception
    ``<prefix>.<prefix>Exception`` (``DynamoDb.DynamoDbException``, ``Ec2.Ec2Exception``)."""
    if modeled:
        return f"{prefix}.{exception_name(error_code_or_shape)}"
    return f"{prefix}.{prefix}Exception"
