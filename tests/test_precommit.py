"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit against this checkout.

pre-commit builds the hook's environment with pip (from the package registry the first time; it keeps
it under .venv/pre-commit-home, so later runs on the same machine reuse it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.definitions import ANNOTATED, PROXY

ROOT = Path(__file__).resolve().parents[1]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def snapshot(destination: Path) -> Path:
    """This checkout as pre-commit would see it once committed: tracked and new files, not ignored ones."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "snapshot")
    return destination


def pre_commit(cwd: Path, hook: str, hooks_repo: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(ROOT / ".venv" / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    executable = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or "pre-commit"
    return subprocess.run(
        [executable, "try-repo", str(hooks_repo), hook, "--all-files", "--verbose"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_hooks_fail_on_a_stale_output_then_pass(tmp_path: Path) -> None:
    hooks_repo = snapshot(tmp_path / "sfnxr")
    tmp_path = tmp_path / "project"
    tmp_path.mkdir()
    git(tmp_path, "init", "-q")
    (tmp_path / ".sfnxr.toml").write_text(
        f'proxy-arn = "{PROXY}"\n\n[outputs]\n"flows/*.asl.json" = "build/{{name}}"\n'
    )
    (tmp_path / "flows").mkdir()
    source = tmp_path / "flows" / "load.asl.json"
    source.write_text(json.dumps(ANNOTATED, indent=2) + "\n")
    (tmp_path / "build").mkdir()
    output = tmp_path / "build" / "load.asl.json"
    output.write_text(json.dumps(ANNOTATED, indent=2) + "\n")  # stale: never transformed
    git(tmp_path, "add", "-A")

    stale = pre_commit(tmp_path, "sfnxr-check", hooks_repo)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "flows/load.asl.json: its output" in stale.stdout and "is out of date" in stale.stdout

    regenerate = pre_commit(tmp_path, "sfnxr-transform", hooks_repo)
    assert regenerate.returncode == 1, "a hook that changed files fails, as formatters do"
    assert "files were modified by this hook" in regenerate.stdout
    assert json.loads(output.read_text())["States"]["Get"]["Resource"] == PROXY
    git(tmp_path, "add", "-A")

    assert pre_commit(tmp_path, "sfnxr-transform", hooks_repo).returncode == 0
    fresh = pre_commit(tmp_path, "sfnxr-check", hooks_repo)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
