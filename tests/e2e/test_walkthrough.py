"""`make demo` works: scripts/walkthrough.py, a plain HTTP client reading its bodies from examples/, takes a
dossier from submission to a returned, evaluated result on the local stack, and says plainly when it cannot."""

from __future__ import annotations

import json
import re

import pytest

from scripts import walkthrough

pytestmark = pytest.mark.e2e

LIFE = ["dossier.submitted", "dossier.received", "dossier.transferred", "dossier.assigned", "dossier.proposed",
        "dossier.approved", "dossier.result_issued", "dossier.returned", "dossier.evaluated"]


@pytest.mark.parametrize(("example", "returned"), [("person", "online"), ("business", "desk")])
def test_walkthrough_takes_the_example_dossier_to_a_returned_and_evaluated_result(stack, api, capsys, example,
                                                                                  returned):
    assert walkthrough.main(["--state-file", stack["STATE_FILE"], "--example", example, "--wait", "30"]) == 0
    printed = capsys.readouterr().out
    dossier_id = re.search(r"\(id ([0-9A-Z]+)\) is returned", printed).group(1)

    citizen = api("citizen.an")
    seen = citizen.get(f"/dossiers/{dossier_id}").json()
    submission = json.loads((walkthrough.EXAMPLES / f"submission-{example}.json").read_text(encoding="utf-8"))
    assert (seen["procedure_code"], seen["applicant"]["type"]) == (submission["procedure_code"], example)
    assert [c["component_id"] for c in seen["components"]] == [c["component_id"] for c in submission["components"]]
    assert (seen["status"], seen["national_status"], seen["returned"]["method"]) == ("returned", 10, returned)
    assert seen["evaluation"]["satisfied"] is True and seen["evaluation"]["comment"]
    assert [r["file_name"] for r in seen["results"]] == ["result.pdf"]
    assert [e["type"] for e in citizen.get(f"/dossiers/{dossier_id}/history").json()["events"]] == LIFE

    assert "Idempotent-Replayed: true" in printed  # the retry with the same key gave the same dossier back
    assert all(f" {event_type} " in printed for event_type in LIFE)  # the history was printed
    assert re.search(rf"dossier\.returned +email +{re.escape(submission['applicant']['email'])} +sent", printed)


def test_a_refused_sign_in_stops_the_walkthrough_with_the_reason_not_a_traceback(stack, capsys):
    assert walkthrough.main(["--state-file", stack["STATE_FILE"], "--password", "not-the-password"]) == 1
    err = capsys.readouterr().err
    assert "citizen.an could not sign in" in err and "NotAuthorizedException" in err and "Traceback" not in err


def test_without_a_running_stack_the_walkthrough_says_to_start_one(tmp_path, capsys):
    assert walkthrough.main(["--state-file", str(tmp_path / "nothing.json")]) == 1
    assert "make run" in capsys.readouterr().err
