{
  "Comment": "${description}: copy the nightly snapshot to the disaster-recovery region",
  "StartAt": "CopySnapshot",
  "States": {
    "CopySnapshot": {
      "Type": "Task",
      "Comment": "Copy to Ireland. @sfnxr region=eu-west-1",
      "Resource": "arn:aws:states:::aws-sdk:rds:copyDBSnapshot",
      "Parameters": {
        "SourceDBSnapshotIdentifier.$": "$.snapshotArn",
        "TargetDBSnapshotIdentifier.$": "States.Format('${prefix}-{}', $.snapshotId)",
        "KmsKeyId": "${dr_kms_key_arn}",
        "SourceRegion": "${region}",
        "Tags": ${jsonencode(tags)}
      },
      "ResultPath": "$.copy",
      "Next": "Notify"
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
