"""sfnxr: run Step Functions aws-sdk tasks in another region through a Lambda proxy."""

__version__ = "0.1.0"
