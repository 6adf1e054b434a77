"""The IAM action(s) a rerouted call needs: the catalog's IAM prefix and the operation name, except
where IAM names the permission differently (a short table, each entry from the service's IAM docs)."""

from __future__ import annotations

from sfnxr_proxy import catalog

# (boto3 service, operation) -> IAM actions, where they differ from "<iam prefix>:<operation>".
EXCEPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # Amazon S3: "Actions, resources, and condition keys for Amazon S3" lists permissions, not API names.
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "AbortMultipartUpload"): ("s3:AbortMultipartUpload",),
    ("s3", "GetObjectAttributes"): ("s3:GetObject", "s3:GetObjectAttributes"),
    # AWS Lambda: the Invoke API is authorised as lambda:InvokeFunction.
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    # Amazon Bedrock runtime: Converse is authorised as InvokeModel.
    ("bedrock-runtime", "Converse"): ("bedrock:InvokeModel",),
    ("bedrock-runtime", "ConverseStream"): ("bedrock:InvokeModelWithResponseStream",),
}

# API Gateway's management API is authorised by HTTP verb (apigateway:GET on the resource path).
_HTTP_VERB_SERVICES = frozenset({"apigateway", "apigatewayv2"})
_VERBS = (("Get", "GET"), ("Create", "POST"), ("Put", "PUT"), ("Update", "PATCH"), ("Delete", "DELETE"))


def iam_actions(sfn_service: str, action: str) -> tuple[str, ...]:
    """IAM actions for aws-sdk:SERVICE:ACTION; empty when the service or action is unknown."""
    service = catalog.service_by_sfn_id(sfn_service)
    if service is None:
        return ()
    operation = catalog.operation_for_action(service, action)
    if operation is None:
        return ()
    special = EXCEPTIONS.get((service.boto3_name, operation))
    if special:
        return special
    if service.boto3_name in _HTTP_VERB_SERVICES:
        for prefix, verb in _VERBS:
            if operation.startswith(prefix):
                return (f"apigateway:{verb}",)
        return ("apigateway:POST",)
    return (f"{service.iam_prefix}:{operation}",)
