"""The cross-region proxy: makes an aws-sdk call in another region and answers as Step Functions would."""
