"""CloudFormation templates (infra/resources.yaml, Chalice's packaged sam.yaml) as plain dicts.

Parsing is cfn-lint's own loader, so short intrinsic tags come out in the same long form cfn-lint
checks and Chalice merges (`!GetAtt A.B` -> `{"Fn::GetAtt": ["A", "B"]}`). Its nodes carry source
positions in dict/list/str subclasses, which yaml.SafeDumper refuses to write back (scripts/package.py
dumps templates), so they are turned into the plain types here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def loads_template(text: str, filename: str | None = None) -> dict[str, Any]:
    """Parse template text; raises ValueError when the document is not a mapping."""
    from cfnlint.decode.cfn_yaml import loads  # half a second to import: only when a template is read

    data = loads(text, filename)
    if not isinstance(data, dict):
        raise ValueError("a CloudFormation template must be a YAML mapping")
    return _plain(data)


def load_template(path: str | Path) -> dict[str, Any]:
    """Read a CloudFormation YAML file into long-form intrinsics."""
    return loads_template(Path(path).read_text(encoding="utf-8"), str(path))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value
