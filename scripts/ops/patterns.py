"""Whether an EventBridge rule's pattern matches an event, as EventBridge itself decides (TestEventPattern).

A replay asks this once per stored event and rule, so answers are cached by the part of the event the
pattern can look at (`relevant_part`): for the rules of infra/resources.yaml, which look at `source`
only, a whole replay costs one call per rule.
"""

from __future__ import annotations

import json
from typing import Any

from scripts.ops.errors import OperatorError


def relevant_part(pattern: dict, event: Any) -> dict:
    """The fields of `event` that `pattern` names, down to where the pattern stops nesting.

    A pattern only ever reads the values at the paths it names (or their absence), so matching this
    part gives the same answer as matching the whole event, whatever the pattern's operators are."""
    part: dict = {}
    for key, rule in pattern.items():
        if key == "$or":
            for alternative in rule:
                _merge(part, relevant_part(alternative, event))
        elif isinstance(event, dict) and key in event:
            value = event[key]
            _merge(part, {key: relevant_part(rule, value) if isinstance(rule, dict) and isinstance(value, dict)
                          else value})
    return part


def _merge(into: dict, other: dict) -> None:
    """Union of two parts of the same event (`$or` alternatives may name the same fields)."""
    for key, value in other.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value)
        else:
            into[key] = value


class PatternMatcher:
    """Asks the stack's EventBridge whether an event matches a pattern, remembering its answers."""

    def __init__(self, events: Any, local: bool) -> None:
        self.events = events
        self.local = local
        self.calls = 0
        self._answers: dict[tuple[str, str], bool] = {}

    def matches(self, pattern: dict, event: dict) -> bool:
        key = (json.dumps(pattern, sort_keys=True), json.dumps(relevant_part(pattern, event), sort_keys=True))
        if key not in self._answers:
            self._answers[key] = self._ask(json.dumps(pattern), event)
        return self._answers[key]

    def _ask(self, pattern: str, event: dict) -> bool:
        self.calls += 1
        answer = self.events.test_event_pattern(EventPattern=pattern, Event=json.dumps(event, ensure_ascii=False))
        if "Result" in answer:
            return bool(answer["Result"])
        if not self.local:
            raise OperatorError("EventBridge answered TestEventPattern without a Result")
        # moto (5.2.5, the newest) accepts TestEventPattern but answers nothing. Its bus routes PutEvents
        # with this matcher, so it decides exactly what the local rule delivers.
        from moto.events.models import EventPattern

        return EventPattern.load(pattern).matches_event(event)
