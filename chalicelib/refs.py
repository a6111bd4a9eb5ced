"""References to classes by module and name, resolved on first use.

Declarations that cold start reads (routes, the action registry) name their pydantic models this way:
importing `app` must not load pydantic. A misspelt name fails the OpenAPI build, hence `make test`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelRef:
    module: str
    name: str

    def resolve(self) -> Any:
        return getattr(importlib.import_module(self.module), self.name)


class Models:
    """`Models("pkg.mod").Name` is a reference to class `Name` of `pkg.mod`."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> ModelRef:
        if name.startswith("_"):
            raise AttributeError(name)
        return ModelRef(self._module, name)


requests = Models("chalicelib.api.schemas")
queries = Models("chalicelib.api.queries")
responses = Models("chalicelib.api.responses")
