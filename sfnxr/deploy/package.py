"""The proxy's deployment package: a reproducible zip of lambda_src/sfnxr_proxy and its allowlist.

Reproducible means byte for byte: entries sorted, every timestamp 1980-01-01 00:00, permissions 0644, line
endings LF, and no compression (``ZIP_STORED``), because deflate output depends on the zlib build (zlib-ng and
zlib give different bytes) and the package must hash the same on a laptop and in CI. The same proxy code and
allowlist therefore give the same CodeSha256, and an unchanged proxy deploys as a no-op. About 0.6 MB.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import sfnxr_proxy

PACKAGE = "sfnxr_proxy"
HANDLER = f"{PACKAGE}.handler.handler"
ALLOWLIST_NAME = "allowlist.json"  # lambda_src/sfnxr_proxy/allowlist.py reads it next to handler.py
_DATA_FILES = ("_names.json",)
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_FILE_MODE = 0o100644  # a regular file, rw-r--r--


@dataclass(frozen=True)
class Package:
    data: bytes

    @property
    def code_sha256(self) -> str:
        """What Lambda reports as CodeSha256: the base64 of the zip's SHA-256."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode("ascii")

    @property
    def hex_digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def source_dir() -> Path:
    """The proxy's source: the installed ``sfnxr_proxy`` package (lambda_src/sfnxr_proxy in a checkout)."""
    return Path(sfnxr_proxy.__file__).resolve().parent


def source_files(directory: Path | None = None) -> dict[str, bytes]:
    """The files the proxy ships, by their name in the zip. A stray allowlist.json in the source tree is
    not shipped: the package's own is generated from the definitions."""
    directory = directory or source_dir()
    names = sorted(path.name for path in directory.glob("*.py"))
    names += [name for name in _DATA_FILES if (directory / name).is_file()]
    files: dict[str, bytes] = {}
    for name in names:
        text = (directory / name).read_bytes().replace(b"\r\n", b"\n")
        files[f"{PACKAGE}/{name}"] = text
    return files


def build(allowlist_text: str, directory: Path | None = None) -> Package:
    """The zip for this allowlist (see allowlist.py for its format)."""
    files = source_files(directory)
    files[f"{PACKAGE}/{ALLOWLIST_NAME}"] = allowlist_text.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, so external_attr holds Unix permissions
            info.external_attr = _FILE_MODE << 16
            archive.writestr(info, files[name])
    return Package(buffer.getvalue())
