"""The local stack under load, the short version of `make load` (bench/load_test.py): a burst of connections
opened at once is answered without a dropped SYN, and concurrent citizens submitting with uploads while officers
receive lose and duplicate nothing — dossiers, events, emails or metric counts.

The stack is this module's own: the scorecard's counts must be those of this module's dossiers only.
"""

from __future__ import annotations

import pytest

from bench.load_test import burst, check_dossiers, check_pipeline, run_load

from .conftest import running_stack

pytestmark = pytest.mark.e2e

CLIENTS, SECONDS = 8, 15


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("burst-stack")) as state:
        yield state


# Each burst is well past its server library's default listen backlog: socketserver's 5 for chalice local,
# werkzeug's 128 for moto (which the clients reach directly with their presigned uploads).
@pytest.mark.parametrize(("server", "connections", "path"), [("API_URL", 30, "/procedures"),
                                                             ("MOTO_ENDPOINT", 200, "/moto-api/")])
def test_connections_opened_at_once_are_all_answered_without_a_syn_retry(stack, server, connections, path):
    result = burst(stack[server], connections, path)
    assert result["statuses"] == {"200": connections}
    # A SYN dropped at a full listen backlog is retried after the kernel's initial timeout of 1 s.
    assert result["slowest_connect_s"] < 1.0, result


def test_concurrent_citizens_and_officers_lose_and_duplicate_no_dossier_event_email_or_count(stack):
    run = run_load(stack, CLIENTS, SECONDS)
    assert not run.recorder.problems, run.recorder.examples  # no 5xx, reset, refusal or unexpected answer
    assert len(run.dossiers) >= CLIENTS
    assert check_dossiers(run) == []
    failures, _ = check_pipeline(stack, run, drain_timeout=60)
    assert failures == []
