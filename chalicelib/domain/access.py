"""Who may see a dossier and who may act on it: roles, scope (agency, unit, assignment, ownership), guards."""

from __future__ import annotations

from datetime import UTC, datetime

from .dossier import Dossier
from .errors import Forbidden, TransitionNotAllowed
from .principal import Principal
from .states import TRANSITIONS, Action, Role, Status, Transition, allowed_actions, find_transition
from .times import parse_iso


def can_see(principal: Principal, dossier: Dossier) -> bool:
    """Citizens see their own dossiers, staff those of their agency, admins all; an agency asked for an
    inter-agency part (liên thông) while its step is open. "Their agency" is the one holding the dossier: for a
    dossier received at another agency's desk, that desk's agency until it forwards the dossier, then the
    competent agency; the receiving desk keeps sight of it afterwards.

    Callers who may not see a dossier are told it does not exist, so this decides 404, not 403.
    """
    if principal.has(Role.ADMIN):
        return True
    if principal.id == dossier.owner_id:
        return True
    if principal.agency_code is None:
        return False
    if principal.agency_code != dossier.holding_agency:
        if principal.agency_code == dossier.receiving_agency and principal.has(Role.OFFICER):
            # The desk that took the dossier in and forwarded it keeps sight of it: its receipt, its hand-over and
            # the progress, to answer the applicant who came to it. It acts no more (check_scope).
            return True
        # An agency the dossier was sent to for its part sees it only while that part is open (sent, not yet
        # returned): personal data is shown to those handling the dossier (Decree 13/2023). What it did stays
        # on the dossier's history and control slip, which the home agency and the applicant read.
        return principal.agency_code == dossier.partner_agency and principal.has(
            Role.OFFICER, Role.LEADER, Role.SPECIALIST)
    if principal.has(Role.OFFICER):
        return True
    # Leaders and specialists see what reached their unit, and a specialist what is assigned to them.
    in_unit = dossier.unit is not None and dossier.unit == principal.unit
    assigned = bool(dossier.assignee) and dossier.assignee.get("id") == principal.id
    return principal.has(Role.LEADER, Role.SPECIALIST) and (in_unit or assigned)


def check_guard(principal: Principal, dossier: Dossier, transition: Transition,
                now: datetime | None = None) -> None:
    """Return actions belong to the delivery method the applicant chose; an apology letter to a
    dossier that is late or about to be, within the number of letters allowed; an evaluation to
    its amendment window; a received dossier is forwarded when another agency's desk took it in, else
    transferred."""
    if not _guard_ok(dossier, transition.action.value, now):
        raise TransitionNotAllowed(dossier.status.value, transition.action.value,
                                   offered_actions(principal, dossier, now))


def offered_actions(principal: Principal, dossier: Dossier, now: datetime | None = None) -> list[str]:
    """What the caller could really do next: their roles, their scope (agency, unit, assignment, ownership)
    and the guards. Shown on every dossier and listed by every 409."""
    found = []
    for action in allowed_actions(dossier.status, principal.roles):
        try:
            check_scope(principal, dossier, find_transition(dossier.status, Action(action)))
        except Forbidden:
            continue
        if _guard_ok(dossier, action, now):
            found.append(action)
    return found


def home_staff(principal: Principal, dossier: Dossier) -> bool:
    """Staff of the agency holding the dossier (or an admin): not an agency that only did an inter-agency part, nor
    the desk that received it for another agency once it forwarded it."""
    return principal.has(Role.ADMIN) or (principal.agency_code == dossier.holding_agency
                                         and principal.has(Role.OFFICER, Role.LEADER, Role.SPECIALIST))


def _guard_ok(dossier: Dossier, action: str, now: datetime | None = None) -> bool:
    transition = find_transition(dossier.status, Action(action))
    if transition is None:
        return True
    if transition.action == Action.APOLOGISE:
        return bool(dossier.deadline_alert) and len(dossier.apologies) < dossier.apology_allowance
    if transition.action == Action.EVALUATE:
        return evaluation_open(dossier, now or datetime.now(UTC))
    if transition.action == Action.FORWARD or (transition.action == Action.TRANSFER
                                               and transition.source == Status.RECEIVED):
        # A dossier received for another agency is forwarded there, never transferred to a unit here.
        return dossier.awaiting_forward == (transition.action == Action.FORWARD)
    return not transition.delivery or (dossier.delivery or {}).get("method") == transition.delivery


def evaluation_open(dossier: Dossier, now: datetime) -> bool:
    """One evaluation per dossier: the first may come any time after the return, amendments only
    until the window fixed when it was first given."""
    if dossier.evaluation is None:
        return True
    return now <= parse_iso(dossier.evaluation["amend_until"])


def check_scope(principal: Principal, dossier: Dossier, transition: Transition) -> None:
    """Within the agency holding the dossier, who may act: a leader on their unit's dossiers, a specialist on the
    dossiers assigned to them, the applicant on their own."""
    role = principal.actor(transition)["role"]
    if role == Role.CITIZEN and principal.id != dossier.owner_id:
        raise Forbidden("not_owner")
    if transition.action == Action.RETURN_FROM_AGENCY:
        # The agency doing the inter-agency part answers, whoever of its staff does it.
        if principal.agency_code is None or principal.agency_code != dossier.partner_agency:
            raise Forbidden("wrong_agency")
        return
    if role in (Role.OFFICER, Role.LEADER, Role.SPECIALIST) and principal.agency_code != dossier.holding_agency:
        raise Forbidden("wrong_agency")
    if role == Role.LEADER and (dossier.unit is None or dossier.unit != principal.unit):
        raise Forbidden("wrong_unit")
    if role == Role.SPECIALIST and not (dossier.assignee and dossier.assignee.get("id") == principal.id):
        raise Forbidden("not_assignee")


def authorise(principal: Principal, source: Status | None, action: Action,
              dossier: Dossier | None = None) -> Transition:
    """The transition for this action from this status, if the caller's roles allow it.

    A role that may never take this action is forbidden (403); a role that may, but not from the
    dossier's current status, meets a state conflict (409) that lists what it can do instead.
    """
    if not any(t.roles & principal.roles for t in TRANSITIONS if t.action == action):
        raise Forbidden("role_not_allowed", action=action.value)
    transition = find_transition(source, action)
    if transition is None or not transition.roles & principal.roles:
        raise TransitionNotAllowed(source.value if source else "none", action.value,
                                   allowed_actions(source, principal.roles) if dossier is None
                                   else offered_actions(principal, dossier))
    return transition
