"""Load CloudFormation YAML (short intrinsic tags included) into plain long-form dicts.

The result has the same shape Chalice's own merge loader produces (``!GetAtt A.B`` becomes
``{"Fn::GetAtt": ["A", "B"]}``), so what the provisioner and the tests read is what gets deployed.
A private loader class is used because registering constructors on ``yaml.SafeLoader`` would change
YAML parsing for every other library in the process (Chalice itself does exactly that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# Tags whose long form is not "Fn::<Tag>".
_BARE_TAGS = {"Ref", "Condition"}

# Every short-form intrinsic CloudFormation documents; an unknown tag is a typo, not something to pass on.
_KNOWN_TAGS = {
    "Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or",
    "FindInMap", "Base64", "Cidr", "ImportValue", "GetAZs", "Transform", "ToJsonString", "Length",
    "ForEach",
}


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that understands CloudFormation short intrinsic tags."""


def _construct_intrinsic(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if tag_suffix not in _KNOWN_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, f"unknown CloudFormation tag !{tag_suffix}", node.start_mark
        )
    key = tag_suffix if tag_suffix in _BARE_TAGS else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            # "Resource.Attribute" -- only the first dot splits: attributes such as
            # "Endpoint.Address" keep their own dot.
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def loads_template(text: str) -> dict[str, Any]:
    """Parse template text; raises ValueError when the document is not a mapping."""
    data = yaml.load(text, Loader=CfnLoader)  # CfnLoader derives from SafeLoader: no arbitrary objects
    if not isinstance(data, dict):
        raise ValueError("a CloudFormation template must be a YAML mapping")
    return data


def load_template(path: str | Path) -> dict[str, Any]:
    """Read a CloudFormation YAML file into long-form intrinsics."""
    return loads_template(Path(path).read_text(encoding="utf-8"))
