{
  "Comment": "${description}: copy the nightly snapshot to the disaster-recovery region",
  "StartAt": "CopySnapshot",
  "States": {
    "CopySnapshot": {
      "Type": "Task",
      "Comment": "Copy to Ireland.",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:sfnxr-proxy:live",
      "Parameters": {
        "sfnxr": {
          "v": 1,
          "resource": "arn:aws:states:::aws-sdk:rds:copyDBSnapshot",
          "comment": "Copy to Ireland. @sfnxr region=eu-west-1",
          "retry": "added"
        },
        "region": "eu-west-1",
        "service": "rds",
        "action": "copyDBSnapshot",
        "parameters": {
          "SourceDBSnapshotIdentifier.$": "$.snapshotArn",
          "TargetDBSnapshotIdentifier.$": "States.Format('${prefix}-{}', $.snapshotId)",
          "KmsKeyId": "${dr_kms_key_arn}",
          "SourceRegion": "${region}",
          "Tags": ${jsonencode(tags)}
        }
      },
      "ResultPath": "$.copy",
      "Next": "Notify",
      "Retry": [
        {
          "ErrorEquals": [
            "Lambda.ClientExecutionTimeoutException",
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException"
          ],
          "IntervalSeconds": 2,
          "MaxAttempts": 6,
          "BackoffRate": 2.0
        }
      ]
    },
    "Notify": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "arn:aws:lambda:${region}:${account_id}:function:${notify_function}",
        "Payload.$": "$"
      },
      "Retry": ${retry_statement},
      "TimeoutSeconds": ${timeout_seconds},
      "End": true
    }
  }
}
