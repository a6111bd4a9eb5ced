"""Recording a read in the access log: one write per staff read, none for the applicant, and a failed write
never fails the read it records (it is logged and counted instead)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from chalicelib.services import access_log, staff

from .domain.test_dossier_rules import CITIZEN, OFFICER, T0, _submitted

ROUTE = "/dossiers/{dossier_id}/files/{upload_id}"


class FakeStore:
    def __init__(self, fail: bool = False) -> None:
        self.fail, self.puts = fail, []

    def put(self, entry: dict) -> None:
        if self.fail:
            raise OSError("throttled")
        self.puts.append(entry)


@pytest.fixture
def recorded(monkeypatch):
    """The store the service writes to, the metrics it counts and the directory's titles, all in memory."""
    found = SimpleNamespace(store=FakeStore(), counted=[])
    monkeypatch.setattr(access_log, "AccessLogStore", lambda: found.store)
    monkeypatch.setattr(access_log, "count", lambda name, **dims: found.counted.append(name))
    monkeypatch.setattr(staff, "authority", lambda staff_id: SimpleNamespace(title="Chuyên viên"))
    return found


def test_a_staff_read_is_one_write_with_the_route_the_file_and_the_directory_title(recorded):
    dossier = _submitted()
    access_log.record_read(OFFICER, dossier, "GET", ROUTE, T0, "up-1")
    (entry,) = recorded.store.puts
    assert (entry["staff_id"], entry["route"], entry["file_id"], entry["title"]) == (
        OFFICER.id, f"GET {ROUTE}", "up-1", "Chuyên viên")
    assert recorded.counted == []


def test_the_applicants_own_reads_are_not_recorded(recorded):
    access_log.record_read(CITIZEN, _submitted(), "GET", "/dossiers/{dossier_id}", T0)
    assert recorded.store.puts == []


def test_a_failed_write_is_counted_and_the_read_goes_on(recorded):
    recorded.store = FakeStore(fail=True)
    access_log.record_read(OFFICER, _submitted(), "GET", "/dossiers/{dossier_id}", T0)  # does not raise
    assert recorded.counted == ["AccessLogWriteFailed"]


def test_the_auditors_days_are_vietnam_days_end_inclusive(monkeypatch):
    asked = {}

    class Store:
        def for_staff(self, staff_id, low, high, limit, cursor):
            asked.update(staff_id=staff_id, low=low, high=high)
            return [], None

    monkeypatch.setattr(access_log, "AccessLogStore", Store)
    access_log.staff_log("sub-1", date(2026, 3, 2), date(2026, 3, 3), "vi", 20, None)
    # 00:00 on 2 March in Hà Nội (UTC+7) to 00:00 on 4 March: the whole of 3 March is in.
    assert asked == {"staff_id": "sub-1", "low": "2026-03-01T17:00:00.000Z", "high": "2026-03-03T17:00:00.000Z"}
    access_log.staff_log("sub-1", None, None, "vi", 20, None)
    assert (asked["low"], asked["high"]) == (None, None)
