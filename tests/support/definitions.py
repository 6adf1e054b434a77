"""Definitions and values many tests share."""

from __future__ import annotations

from typing import Any

PROXY = "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live"


def s3_get_definition(**task_fields: Any) -> dict[str, Any]:
    """One s3:getObject Task named Get; `task_fields` come after Type and Resource, End last."""
    task: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject"}
    task.update(task_fields)
    task["End"] = True
    return {"StartAt": "Get", "States": {"Get": task}}


# Annotated with a Comment directive; key order as written in files: Type, Comment, Resource, Parameters.
ANNOTATED: dict[str, Any] = {
    "StartAt": "Get",
    "States": {
        "Get": {
            "Type": "Task",
            "Comment": "@sfnxr region=us-west-2",
            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": "b", "Key.$": "$.key"},
            "End": True,
        }
    },
}
