"""Domain errors. They carry stable codes and parameters; wording lives in `messages`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    params: dict = field(default_factory=dict)


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, detail_code: str | None = None, **params: object) -> None:
        self.detail_code = detail_code or self.code
        self.params = params
        super().__init__(self.detail_code)


class ValidationFailed(DomainError):
    code = "validation_failed"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__()
        self.errors = errors


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"

    def __init__(self, status: str, action: str, allowed_actions: list[str]) -> None:
        super().__init__(status=status, action=action)
        self.allowed_actions = allowed_actions


class Conflict(DomainError):
    """The dossier changed under the caller (a lost race): re-read and decide again."""

    code = "conflict"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"


def check(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)
