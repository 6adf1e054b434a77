"""`sfnxr deploy-proxy`: put the proxy into an AWS account, least-privileged and idempotently.

Shaped like chalice's deployer: a pure core and thin edges.

    package.py   the reproducible zip (same code and allowlist -> same bytes -> same CodeSha256)
    models.py    plain data: the desired state, what AWS has, and the steps between them
    desired.py   the desired state from the command's options and the definitions' routed tasks (pure)
    plan.py      desired vs observed -> steps (pure), and how a plan reads
    observe.py   what AWS has (read calls only)
    apply.py     carries the steps out with boto3, waiting where Lambda needs it
    aws.py       sessions, clients and AWS errors worded for the user
    template.py  the same desired state as a CloudFormation template, for teams that deploy with IaC (pure)
"""
