"""Run moto's server in a separate process on 127.0.0.1, for tests, benchmarks and the equivalence harness.

    with moto_server() as endpoint:          # "http://127.0.0.1:PORT"
        boto3.client("s3", endpoint_url=endpoint, ...)

    with moto_server(patches=["tests.equivalence.patches:route_lambda"]) as endpoint: ...

The process runs ``python -m tests.support.moto_entry``, which applies the optional patches before starting
moto's app, so patches can change moto internals inside the server. The server is terminated on exit.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port that is free right now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def api(endpoint: str, path: str, payload: Any | None = None) -> Any:
    """Call moto's own API (``/moto-api/...``): POST ``payload`` as JSON when given, else GET."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        f"{endpoint}/moto-api/{path.lstrip('/')}",
        data=data,
        method="GET" if data is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body.strip() else None


def reset(endpoint: str) -> None:
    """Forget every resource the server holds."""
    api(endpoint, "reset", {})


def configure(endpoint: str, config: Mapping[str, Any]) -> None:
    """Set moto's runtime configuration, e.g. ``{"lambda": {"use_docker": False}}``."""
    api(endpoint, "config", dict(config))


@contextmanager
def moto_server(
    *,
    patches: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    host: str = HOST,
    timeout: float = 30.0,
) -> Iterator[str]:
    """Start the server, wait until it answers, yield its endpoint URL, terminate it."""
    port = free_port(host)
    command = [sys.executable, "-m", "tests.support.moto_entry", "--host", host, "--port", str(port)]
    for patch in patches:
        command += ["--patch", patch]
    child_env = dict(os.environ)
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), child_env.get("PYTHONPATH")]))
    child_env.update(env or {})
    endpoint = f"http://{host}:{port}"
    with tempfile.TemporaryFile(mode="w+b") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=child_env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + timeout
            while not _answers(f"{endpoint}/moto-api/"):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace")[-4000:]
                    raise RuntimeError(f"moto server did not start on {endpoint}:\n{tail}")
                time.sleep(0.05)
            yield endpoint
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
