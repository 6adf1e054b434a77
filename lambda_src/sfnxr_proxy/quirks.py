"""Where boto3 and the AWS SDK for Java v2 (Step Functions' SDK) differ for one operation, the proxy follows
the Java SDK. Each adjustment names its source; everything else is driven by the service models.
"""

from __future__ import annotations

from typing import Any

# research notes: "Without ContentType, S3 stores text/plain; charset=UTF-8" for a Step Functions PutObject
# (the Java SDK sends its request body as a string).
S3_STRING_BODY_CONTENT_TYPE = "text/plain; charset=UTF-8"

# botocore asks S3 for url-encoded keys in these listings when the caller does not, decodes them and leaves
# EncodingType: "url" in the result (botocore.handlers.set_list_objects_encoding_type_url); the Java SDK
# sends no encoding type, so Step Functions' result has none.
_S3_AUTO_ENCODED_LISTINGS = frozenset(
    {"ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads"}
)


# AWS SDK for Java v2's S3 ExceptionTranslationInterceptor: a HEAD request has no error body, so a 404 on
# HeadObject becomes NoSuchKeyException and one on HeadBucket NoSuchBucketException, with these messages.
_S3_HEAD_404 = {
    "HeadObject": ("NoSuchKey", "The specified key does not exist."),
    "HeadBucket": ("NoSuchBucket", "The specified bucket does not exist."),
}


def translate_error(boto3_name: str, operation: str, status: int | None) -> tuple[str, str] | None:
    """(error code, message) the Java SDK gives an error response that botocore cannot name, else None."""
    if boto3_name == "s3" and status == 404:
        return _S3_HEAD_404.get(operation)
    return None


def adjust_request(boto3_name: str, operation: str, request: dict[str, Any]) -> None:
    """Change the boto3 request in place before the call."""
    if boto3_name == "s3" and operation == "PutObject":
        request.setdefault("ContentType", S3_STRING_BODY_CONTENT_TYPE)


def adjust_response(
    boto3_name: str, operation: str, request: dict[str, Any], response: dict[str, Any]
) -> None:
    """Change boto3's response in place before it is converted."""
    if boto3_name != "s3":
        return
    if operation == "GetObject" and "ChecksumMode" not in request:
        # research notes: Step Functions' GetObject result has exactly AcceptRanges, ContentLength,
        # ContentType, ETag, LastModified, Metadata, ServerSideEncryption, Body: no checksum fields.
        for key in [k for k in response if k.startswith("Checksum")]:
            del response[key]
    elif operation in _S3_AUTO_ENCODED_LISTINGS and "EncodingType" not in request:
        response.pop("EncodingType", None)
