"""Where the ASL definitions sit inside a document.

A bare definition is the document itself. (CloudFormation, SAM, Serverless and Terraform containers
plug in here: each finds its state machines and says where their definitions are.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfnxr.asl import Keys, check_state_machine


@dataclass(frozen=True)
class DefinitionSite:
    keys: Keys  # from the document's root to the definition object
    label: str | None  # e.g. a template's logical id; None for a bare definition
    definition: Mapping[str, Any]


def find_definitions(data: Any) -> list[DefinitionSite]:
    """Every state machine definition in a document; raises asl.NotAStateMachine when there is none."""
    check_state_machine(data)
    return [DefinitionSite((), None, data)]
