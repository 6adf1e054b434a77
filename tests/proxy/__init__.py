"""Tests of the proxy (lambda_src/sfnxr_proxy) and its naming catalog."""
