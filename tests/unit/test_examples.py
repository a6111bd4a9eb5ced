"""The request bodies in examples/ are valid: a change to a request model or a domain rule that breaks
one fails here, not in front of a newcomer. The walkthrough (`make demo`) sends them for real."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pydantic import BaseModel

from chalicelib.api.schemas import (
    Assign,
    Decide,
    Evaluate,
    IssueResult,
    Propose,
    Receive,
    RequestSupplement,
    ReturnAtDesk,
    SubmitDossier,
    Transfer,
)
from chalicelib.api.validation import parse
from chalicelib.domain.agencies import agency
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.identity import check_citizen_id
from chalicelib.domain.procedures import Procedure, load_seed_catalogue
from chalicelib.domain.submission import (
    UPLOAD_VERIFIED,
    UploadInfo,
    check_applicant,
    check_components,
    check_delivery,
    check_supplement_items,
)
from scripts.demo import DEMO_ACCOUNTS
from scripts.walkthrough import EXAMPLES, FILES, RESULT, RESULT_FILE, fill, placeholders, sample_for

OWNER = "citizen-sub"
SUBMISSIONS = sorted(EXAMPLES.glob("submission-*.json"))
# Each officer or applicant action body, with the model its route validates it with.
ACTIONS: dict[str, type[BaseModel]] = {
    "receive": Receive, "request-supplement": RequestSupplement, "transfer": Transfer, "assign": Assign,
    "propose": Propose, "approve": Decide, "issue-result": IssueResult, "return-online": Decide,
    "return-at-desk": ReturnAtDesk, "evaluation": Evaluate,
}
MAX_SAMPLE_BYTES = 20 * 1024


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def procedure_of(body: dict) -> Procedure:
    return next(p for p in load_seed_catalogue() if p.code == body["procedure_code"])


def fake_ids(body: dict) -> dict[str, str]:
    """An id of the platform's shape for every upload placeholder (ids only exist at run time)."""
    return {name: f"01EXAMPLE{name.upper().replace('-', '')}"[:26] for name in placeholders(body)}


def verified_uploads(procedure: Procedure, ids: dict[str, str]) -> dict[str, UploadInfo]:
    """What the store would know of the walkthrough's uploads: the sample file it sends for each component."""
    uploads = {}
    for name, upload_id in ids.items():
        spec = procedure.component(name)
        assert spec is not None, f"{procedure.code} has no component {name}"
        path, content_type = sample_for(list(spec.accepted_types))
        uploads[upload_id] = UploadInfo(upload_id, OWNER, procedure.code, name, UPLOAD_VERIFIED, path.name,
                                        content_type, path.stat().st_size, "0" * 64)
    return uploads


# A citizen's submission on the national portal stand-in (`POST /_sim/submit`, docs/national-portal.md §10).
PORTAL_FORWARD = "national-portal-forward"


def test_every_example_body_is_a_submission_or_a_known_action():
    names = {path.stem for path in EXAMPLES.glob("*.json")}
    assert names == {path.stem for path in SUBMISSIONS} | set(ACTIONS) | {PORTAL_FORWARD}


def test_the_national_portal_example_becomes_a_forward_the_platform_accepts():
    import base64

    from chalicelib.api.schemas import SubmitDossier
    from chalicelib.domain.portal_inbound import PortalForward, to_submission
    from scripts.standins.national_portal import forward_body

    sim = example(PORTAL_FORWARD)
    documents = [{**f, "url": f"http://portal.example/files/t/{f['file_name']}",
                  "content": base64.b64decode(f["content_base64"])} for f in sim["files"]]
    body = forward_body(ma_ho_so="DVCQG-261130-000001", procedure_code=sim["procedure_code"],
                        applicant=sim["applicant"], summary=sim["summary"], documents=documents,
                        delivery=sim["delivery"], submitted_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC))
    submission = to_submission(PortalForward.model_validate(body))
    components = [{"component_id": f["component_id"], "upload_ids": ["01M8PE1MQEJQGT8YC6A1YR5VVJ"]}
                  for f in sim["files"]]
    parse(SubmitDossier, {**submission, "procedure_code": sim["procedure_code"], "components": components})
    procedure = procedure_of(sim)
    assert {f["component_id"] for f in sim["files"]} == {c.id for c in procedure.components if c.required}
    for item in sim["files"]:
        assert item["content_type"] in procedure.component(item["component_id"]).accepted_types


def test_there_is_a_submission_for_a_person_and_one_for_a_business():
    kinds = sorted(json.loads(path.read_text(encoding="utf-8"))["applicant"]["type"] for path in SUBMISSIONS)
    assert kinds == ["business", "person"]


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_submission_example_passes_the_request_model_and_every_domain_rule(path: Path):
    body = json.loads(path.read_text(encoding="utf-8"))
    ids = fake_ids(body)
    request = parse(SubmitDossier, fill(body, ids))  # ValidationFailed lists the fields that broke
    procedure = procedure_of(body)
    assert request.applicant.type in procedure.applicant_types
    data = request.model_dump(mode="json")
    assert check_applicant(procedure, data["applicant"]) == []
    assert check_delivery(procedure, data["delivery"]) == []
    assert check_components(procedure, data["components"], verified_uploads(procedure, ids), OWNER) == []


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_submission_example_names_each_component_by_its_own_placeholder(path: Path):
    body = json.loads(path.read_text(encoding="utf-8"))
    assert [c["upload_ids"] for c in body["components"]] == [[f"<upload:{c['component_id']}>"]
                                                             for c in body["components"]]


def test_person_example_ids_are_structurally_valid_and_match_the_birth_date():
    applicant = example("submission-person")["applicant"]
    assert check_citizen_id(applicant["citizen_id"], date.fromisoformat(applicant["date_of_birth"])) is None


def test_unfilled_placeholders_are_refused_by_the_model_so_a_copied_example_fails_loudly():
    with pytest.raises(ValidationFailed) as refused:
        parse(SubmitDossier, example("submission-person"))
    assert {(e.field, e.code) for e in refused.value.errors} == {
        (f"components[{i}].upload_ids[0]", "field.invalid") for i in range(3)}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_example_passes_its_request_model(name: str):
    body = example(name)
    parse(ACTIONS[name], fill(body, fake_ids(body)))


def test_issue_result_names_the_result_upload():
    assert placeholders(example("issue-result")) == [RESULT]


def test_supplement_request_names_components_of_the_person_examples_procedure():
    procedure = procedure_of(example("submission-person"))
    assert check_supplement_items(procedure, example("request-supplement")["items"]) == []


def test_transfer_unit_and_assigned_specialist_exist_where_both_example_procedures_are_handled():
    unit, specialist = example("transfer")["unit"], example("assign")["specialist"]
    for path in SUBMISSIONS:
        code = procedure_of(json.loads(path.read_text(encoding="utf-8"))).agency_code
        assert agency(code).unit(unit) is not None, code
        account = next(a for a in DEMO_ACCOUNTS if a.username == specialist)
        assert (account.group, account.agency, account.unit) == ("specialist", code, unit)


# --------------------------------------------------------------------------- the sample files


@pytest.mark.parametrize("path", sorted(FILES.glob("*.pdf")), ids=lambda p: p.name)
def test_sample_pdf_is_a_small_well_formed_pdf_with_nothing_active(path: Path):
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.") and len(data) < MAX_SAMPLE_BYTES
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
        assert not set(pdf.Root.keys()) & {"/OpenAction", "/AA", "/Names", "/AcroForm"}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                assert not set(obj.keys()) & {"/JS", "/JavaScript", "/Launch", "/EmbeddedFiles", "/EF"}
    assert data.rstrip().endswith(b"%%EOF")


def test_sample_photo_is_a_small_jpeg_that_decodes_and_ends_at_its_last_marker():
    data = (FILES / "photo.jpg").read_bytes()
    assert len(data) < MAX_SAMPLE_BYTES and data.endswith(b"\xff\xd9")
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert (image.format, image.mode) == ("JPEG", "RGB")


def test_the_walkthrough_has_a_sample_for_every_component_of_the_example_procedures_and_a_result():
    for path in SUBMISSIONS:
        for component in procedure_of(json.loads(path.read_text(encoding="utf-8"))).components:
            sample, content_type = sample_for(list(component.accepted_types))
            assert sample.exists() and content_type in component.accepted_types
    assert RESULT_FILE.exists()
