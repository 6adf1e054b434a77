"""The desired state as a CloudFormation template, for teams that deploy with IaC. Pure.

The template holds the role and its inline policy (unless a role is given), the function, a version, the alias
``live`` and the invoke permissions. CloudFormation needs the zip in S3: the template takes the bucket as a
parameter and defaults the key to the zip's own file name, which carries its hash, so new code means a new
key. A version's logical id carries the hash of the code and configuration, so a change publishes a new
version and moves the alias (CloudFormation never updates a version in place).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sfnxr import policy
from sfnxr.deploy.apply import TAGS
from sfnxr.deploy.desired import DESCRIPTION, DeployOptions, check_policy_size, environment
from sfnxr.deploy.models import ALIAS, SNAPSTART_ON
from sfnxr.deploy.package import HANDLER, Package

FORMAT_VERSION = "2010-09-09"
_PSEUDO = policy.ProxyTarget("${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}")


def zip_name(options: DeployOptions, package: Package) -> str:
    return f"{options.function_name}-{package.hex_digest[:16]}.zip"


def template_name(options: DeployOptions) -> str:
    return f"{options.function_name}.template.json"


def _substituted(value: Any) -> Any:
    """Strings naming ${AWS::...} pseudo parameters become Fn::Sub."""
    if isinstance(value, str) and "${AWS::" in value:
        return {"Fn::Sub": value}
    if isinstance(value, Mapping):
        return {key: _substituted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_substituted(item) for item in value]
    return value


def template(options: DeployOptions, needs: policy.Needs, package: Package) -> dict[str, Any]:
    target = policy.ProxyTarget(
        _PSEUDO.partition, _PSEUDO.region, _PSEUDO.account, function_name=options.function_name
    )
    resources: dict[str, Any] = {}
    role: Any
    if options.role_arn is None:
        role_policy = policy.role_policy(needs, target)
        check_policy_size(role_policy)
        resources["ProxyRole"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": "sfnxr cross-region proxy: the calls its state machines reroute, nothing more",
                "AssumeRolePolicyDocument": policy.TRUST_POLICY,
                "Policies": [
                    {
                        "PolicyName": policy.INLINE_POLICY_NAME,
                        "PolicyDocument": _substituted(role_policy),
                    }
                ],
                "Tags": [{"Key": key, "Value": value} for key, value in TAGS.items()],
            },
        }
        role = {"Fn::GetAtt": ["ProxyRole", "Arn"]}
    else:
        role = options.role_arn
    function: dict[str, Any] = {
        "FunctionName": options.function_name,
        "Description": DESCRIPTION,
        "Runtime": options.runtime,
        "Handler": HANDLER,
        "Role": role,
        "Code": {"S3Bucket": {"Ref": "CodeS3Bucket"}, "S3Key": {"Ref": "CodeS3Key"}},
        "Architectures": [options.architecture],
        "MemorySize": options.memory,
        "Timeout": options.timeout,
        "Tags": [{"Key": key, "Value": value} for key, value in TAGS.items()],
    }
    variables = environment(options)
    if variables:
        function["Environment"] = {"Variables": variables}
    if options.snapstart:
        function["SnapStart"] = {"ApplyOn": SNAPSTART_ON}
    resources["ProxyFunction"] = {"Type": "AWS::Lambda::Function", "Properties": function}
    fingerprint = hashlib.sha256(
        json.dumps([package.code_sha256, function], sort_keys=True).encode()
    ).hexdigest()[:12]
    version_id = f"ProxyVersion{fingerprint}"
    resources[version_id] = {
        "Type": "AWS::Lambda::Version",
        "Properties": {
            "FunctionName": {"Ref": "ProxyFunction"},
            "Description": f"CodeSha256 {package.code_sha256}",
        },
    }
    resources["ProxyAlias"] = {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "FunctionName": {"Ref": "ProxyFunction"},
            "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]},
            "Name": ALIAS,
            "Description": "what sfnxr-rewritten state machines call",
        },
    }
    for index, principal in enumerate(sorted(set(options.allow_invoke_from)), start=1):
        resources[f"ProxyInvokePermission{index}"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "ProxyAlias"},
                "Principal": principal,
            },
        }
    return {
        "AWSTemplateFormatVersion": FORMAT_VERSION,
        "Description": f"{DESCRIPTION} (sfnxr deploy-proxy --template)",
        "Parameters": {
            "CodeS3Bucket": {
                "Type": "String",
                "Description": "The S3 bucket (in the stack's region) holding the proxy's zip",
            },
            "CodeS3Key": {
                "Type": "String",
                "Default": zip_name(options, package),
                "Description": "The zip's key in that bucket",
            },
        },
        "Resources": resources,
        "Outputs": {
            "ProxyAliasArn": {
                "Description": "For sfnxr transform --proxy-arn",
                "Value": {"Ref": "ProxyAlias"},
            },
            "ProxyFunctionArn": {"Value": {"Fn::GetAtt": ["ProxyFunction", "Arn"]}},
            "ProxyRoleArn": {"Value": role},
        },
    }


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"
