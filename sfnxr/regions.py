"""AWS regions and partitions, from botocore's partition data read as a plain file.

botocore is located with importlib (not imported): `sfnxr transform` stays fast and never loads boto3.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from sfnxr_proxy.models import botocore_data_dir


@dataclass(frozen=True)
class Partition:
    id: str  # "aws", "aws-cn", "aws-us-gov", ...
    region_regex: re.Pattern[str]
    regions: frozenset[str]


@cache
def partitions() -> tuple[Partition, ...]:
    data = json.loads((botocore_data_dir() / "partitions.json").read_text(encoding="utf-8"))
    result = []
    for entry in data["partitions"]:
        regex = re.compile(entry["regionRegex"])
        # Pseudo-regions such as "aws-global" are endpoint aliases, not places a call can go.
        regions = frozenset(name for name in entry.get("regions", {}) if regex.match(name))
        result.append(Partition(entry["id"], regex, regions))
    return tuple(result)


def partition_of_region(region: str) -> Partition | None:
    """The partition that lists `region`, or None when no partition knows it."""
    for partition in partitions():
        if region in partition.regions:
            return partition
    return None


def all_regions() -> list[str]:
    return sorted(region for partition in partitions() for region in partition.regions)


def is_partition(name: str) -> bool:
    return any(partition.id == name for partition in partitions())
