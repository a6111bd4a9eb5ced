"""Who is calling, as the verified token says."""

from __future__ import annotations

from dataclasses import dataclass

from .states import Role, Transition


@dataclass(frozen=True)
class Principal:
    id: str
    username: str
    roles: frozenset[Role]
    agency_code: str | None = None
    unit: str | None = None
    name: str | None = None
    email: str | None = None
    locale: str = "vi"

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def actor(self, transition: Transition) -> dict:
        """Who took the transition, as events record it: the first of the caller's roles it allows."""
        return self.acting_as(*(r for r in Role if r in transition.roles))

    def acting_as(self, *roles: Role) -> dict:
        """Who acted, as events record it, in the first of `roles` the caller holds (None: none of them)."""
        role = next((r for r in roles if r in self.roles), None)
        return {"id": self.id, "username": self.username, "role": role.value if role else None,
                "name": self.name, "agency_code": self.agency_code}
