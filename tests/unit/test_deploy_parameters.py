"""`make deploy PARAMS=...`: the stack parameters a change set gets."""

from __future__ import annotations

import pytest

from scripts.deploy import DeployError, parse_parameters, stack_parameters

DECLARED = ["NotificationSender", "NationalPortalUrl", "NationalPortalUsername"]


def test_an_update_keeps_every_parameter_not_given():
    found = stack_parameters(DECLARED, {"NationalPortalUrl": "https://gateway.example"}, "UPDATE")
    assert found == [{"ParameterKey": "NotificationSender", "UsePreviousValue": True},
                     {"ParameterKey": "NationalPortalUrl", "ParameterValue": "https://gateway.example"},
                     {"ParameterKey": "NationalPortalUsername", "UsePreviousValue": True}]


def test_a_creation_takes_the_defaults_of_what_is_not_given():
    assert stack_parameters(DECLARED, {"NationalPortalUsername": "motcua"}, "CREATE") == [
        {"ParameterKey": "NationalPortalUsername", "ParameterValue": "motcua"}]


def test_a_parameter_the_template_lacks_is_refused_before_anything_changes():
    with pytest.raises(DeployError, match="NationalPortalURL"):
        stack_parameters(DECLARED, {"NationalPortalURL": "x"}, "UPDATE")


def test_parameters_are_key_value_pairs_and_a_value_may_hold_an_equals_sign():
    assert parse_parameters(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(DeployError):
        parse_parameters(["NoValue"])
