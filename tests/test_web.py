"""The self-hosted HTTPS endpoint (skill.web) through Flask's test client.

An ``Echo`` signs every request as Alexa does, with the test CA from tests/signing.py, and
carries session attributes from each response to the next request. The app's verifier
fetches chains from a ``ChainHost`` (tests/test_verify.py) instead of S3, so there is no
network, and its clock stands at signing.NOW, the time every envelope here is stamped with.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from signing import CERT_URL, NOW, Signer, body_of
from test_verify import (
    INVALID_CERT_URLS,
    REFUSALS,
    ChainHost,
    Headers,
    MakeAttempt,
    Pki,
    build_pki,
    signed,
)
from werkzeug.test import TestResponse

from skill import envelopes
from skill.content_model import Level, default_content
from skill.conversation import CHECK_SYMPTOMS, NO, YES
from skill.nlu import SlotValue
from skill.verify import AlexaRequestVerifier
from skill.web import MAX_BODY_BYTES, MissingSkillIdError, create_app, production_app

REPO = Path(__file__).resolve().parent.parent
SKILL_ID = envelopes.DEFAULT_SKILL_ID
OTHER_SKILL_ID = "amzn1.ask.skill.11111111-2222-4333-8444-555555555555"
USER_ID = "amzn1.ask.account.WEBTESTUSER" + "U" * 40
DEVICE_ID = "amzn1.ask.device.WEBTESTDEVICE" + "D" * 40
CONTENT = default_content()
M = CONTENT.messages
QUESTIONS = CONTENT.questions


# -- reading Alexa responses --------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.split())


def heard(ssml: str) -> str:
    """What a listener hears: ``ssml`` must be one well-formed <speak> element."""
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    return flat("".join(root.itertext()))


def speech(answer: Mapping[str, Any]) -> str:
    output = answer["response"]["outputSpeech"]
    assert output["type"] == "SSML"
    return heard(output["ssml"])


def assert_question(answer: Mapping[str, Any]) -> str:
    assert answer["version"] == "1.0"
    assert answer["response"]["shouldEndSession"] is False
    assert heard(answer["response"]["reprompt"]["outputSpeech"]["ssml"])
    return speech(answer)


def assert_final(answer: Mapping[str, Any]) -> str:
    assert answer["version"] == "1.0"
    assert answer["response"]["shouldEndSession"] is True
    assert "reprompt" not in answer["response"]
    return speech(answer)


def assert_refused(response: TestResponse, status: int, error: str) -> None:
    """A short JSON error: nothing else, no stack trace, no HTML page."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert response.mimetype == "application/json"
    assert json.loads(text) == {"error": error}
    assert "Traceback" not in text
    assert "<" not in text


# -- an Echo talking to the endpoint ------------------------------------------------------------


def post(
    client: FlaskClient,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
    path: str = "/alexa",
) -> TestResponse:
    return client.open(path, method=method, data=body, headers=dict(headers or {}))


def new_session(skill_id: str = SKILL_ID) -> envelopes.Session:
    return envelopes.Session(skill_id=skill_id, user_id=USER_ID, device_id=DEVICE_ID)


def stamped(event: dict[str, Any], when: dt.datetime | None = NOW) -> dict[str, Any]:
    if when is None:
        del event["request"]["timestamp"]
    else:
        event["request"]["timestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


def launch_event(skill_id: str = SKILL_ID) -> dict[str, Any]:
    return stamped(new_session(skill_id).envelope(envelopes.launch_request()))


def launch_body() -> bytes:
    return body_of(launch_event())


@dataclass
class Echo:
    """One Echo: each request signed by ``signer``, each session's attributes carried on."""

    client: FlaskClient
    signer: Signer | None
    session: envelopes.Session | None = None
    sessions: list[envelopes.Session] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            self.session = new_session()
            self.sessions.append(self.session)
        event = stamped(self.session.envelope(request))
        self.events.append(event)
        body = body_of(event)
        headers = signed(self.signer, body) if self.signer else {}
        response = post(self.client, body, headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        answer: dict[str, Any] = response.get_json()
        self.answers.append(answer)
        if not self.session.advance(answer):
            self.session = None
        return answer

    def launch(self) -> dict[str, Any]:
        return self.send(envelopes.launch_request())

    def intent(self, name: str, **slots: SlotValue) -> dict[str, Any]:
        return self.send(envelopes.intent_request(name, slots))


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki() -> Pki:
    return build_pki()


@pytest.fixture
def host(pki: Pki) -> ChainHost:
    return ChainHost(pki.chains())


@pytest.fixture
def app(pki: Pki, host: ChainHost) -> Flask:
    verifier = AlexaRequestVerifier(fetch=host, roots=[pki.authority.root], clock=lambda: NOW)
    return create_app(skill_id=SKILL_ID, verifier=verifier)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def echo(client: FlaskClient, pki: Pki) -> Echo:
    return Echo(client, pki.good)


@pytest.fixture
def dev_client() -> FlaskClient:
    """``backpain serve --insecure-dev``: no verification, no skill id."""
    return create_app(skill_id=None, verifier=None).test_client()


# Text from every request body here that no log line may carry: ids, token, endpoint.
BODY_TEXT = (
    USER_ID,
    DEVICE_ID,
    "amzn1.echo-api.session",
    "amzn1.echo-api.request",
    "test-access-token",
    envelopes.API_ENDPOINT,
)


def log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


# -- signed requests are answered ---------------------------------------------------------------


def test_signed_launch_request_gets_the_welcome(echo: Echo, host: ChainHost) -> None:
    said = assert_question(echo.launch())
    assert said.startswith(flat(M.welcome))
    assert "999" in said
    assert host.fetches == {CERT_URL: 1}


def test_whole_conversation_to_the_emergency_outcome(echo: Echo, host: ChainHost) -> None:
    assert assert_question(echo.launch()).startswith(flat(M.welcome))
    scan = echo.intent("ScanIntent")
    assert assert_question(scan).startswith(flat(CONTENT.topics["scan"].speech))
    assert scan["sessionAttributes"], "the offer of the check lives in the session"
    said = assert_question(echo.intent(YES))
    assert said.startswith(flat(M.check_intro))
    assert said.endswith(flat(QUESTIONS[0].ask))
    assert QUESTIONS[0].level is Level.EMERGENCY

    said = assert_final(echo.intent(YES))
    assert said.startswith(flat(CONTENT.outcomes[Level.EMERGENCY].speech))
    assert "999" in said
    assert echo.session is None
    # Each request carried the attributes of the answer before it, as Alexa does.
    for event, previous in zip(echo.events[1:], echo.answers, strict=False):
        assert event["session"]["new"] is False
        assert event["session"]["attributes"] == previous["sessionAttributes"]
    assert host.fetches == {CERT_URL: 1}, "the chain is fetched once for the conversation"


def test_check_to_the_self_care_outcome(echo: Echo) -> None:
    echo.launch()
    assert assert_question(echo.intent(CHECK_SYMPTOMS)).endswith(flat(QUESTIONS[0].ask))
    for question in QUESTIONS[1:]:
        assert assert_question(echo.intent(NO)).endswith(flat(question.ask))
    assert assert_question(echo.intent(NO)).endswith(flat(CONTENT.duration.ask))
    said = assert_final(echo.intent("DurationAnswerIntent", duration=SlotValue("two weeks", "P2W")))
    assert flat(CONTENT.outcomes[Level.SELF_CARE].speech) in said


def test_signature_headers_in_lower_case_are_read(client: FlaskClient, pki: Pki) -> None:
    body = launch_body()
    headers = {name.lower(): value for name, value in signed(pki.good, body).items()}
    response = post(client, body, headers)
    assert response.status_code == 200
    assert assert_question(response.get_json()).startswith(flat(M.welcome))


def test_signed_body_of_exactly_128_kib_is_answered(client: FlaskClient, pki: Pki) -> None:
    body = launch_body()
    body += b" " * (MAX_BODY_BYTES - len(body))  # JSON allows trailing whitespace
    response = post(client, body, signed(pki.good, body))
    assert response.status_code == 200
    assert assert_question(response.get_json()).startswith(flat(M.welcome))


def test_session_attributes_nested_within_the_limit_are_answered(echo: Echo) -> None:
    echo.launch()
    assert echo.session is not None
    nested: dict[str, Any] = {}
    for _ in range(20):
        nested = {"n": nested}
    echo.session.attributes = {**echo.session.attributes, "extra": nested}
    assert assert_question(echo.intent("ScanIntent")).startswith(
        flat(CONTENT.topics["scan"].speech)
    )


def test_request_type_newer_than_the_sdk_gets_an_empty_response(
    client: FlaskClient, pki: Pki
) -> None:
    body = body_of(stamped(new_session().envelope({"type": "Alexa.Future.Event"})))
    response = post(client, body, signed(pki.good, body))
    assert response.status_code == 200
    assert response.get_json() == {"version": "1.0", "response": {}}


def test_health_answers_ok(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


# -- bad requests: a short JSON 4xx, and nothing else changes -----------------------------------


@dataclass(frozen=True)
class Bad:
    body: bytes
    headers: Headers
    method: str = "POST"
    path: str = "/alexa"


MakeBad = Callable[[Pki], Bad]


def _from_refusal(make: MakeAttempt) -> MakeBad:
    def bad(p: Pki) -> Bad:
        headers, body = make(p, launch_body())
        return Bad(body, headers)

    return bad


def _signed_launch(url: str = CERT_URL, method: str = "POST") -> MakeBad:
    def make(p: Pki) -> Bad:
        body = launch_body()
        return Bad(body, signed(p.good, body, url), method)

    return make


def _signed_body(body: bytes) -> MakeBad:
    return lambda p: Bad(body, signed(p.good, body))


def _signed_event(change: Callable[[dict[str, Any]], Any]) -> MakeBad:
    def make(p: Pki) -> Bad:
        event = launch_event()
        change(event)
        body = body_of(event)
        return Bad(body, signed(p.good, body))

    return make


def _nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    for _ in range(depth):
        node = {"n": node}
    return node


def _with_attributes(value: Any) -> Callable[[dict[str, Any]], None]:
    def change(event: dict[str, Any]) -> None:
        event["session"]["new"] = False
        event["session"]["attributes"] = value

    return change


def _foreign_skill(p: Pki) -> Bad:
    body = body_of(launch_event(OTHER_SKILL_ID))
    return Bad(body, signed(p.good, body))


def _at(offset_seconds: int | None) -> MakeBad:
    def make(p: Pki) -> Bad:
        when = None if offset_seconds is None else NOW + dt.timedelta(seconds=offset_seconds)
        body = body_of(stamped(new_session().envelope(envelopes.launch_request()), when))
        return Bad(body, signed(p.good, body))

    return make


# Bodies that are not an Alexa request, whether or not they are signed.
NOT_ALEXA_BODIES: dict[str, tuple[bytes, str]] = {
    "invalid-utf8": (b'{"request": {"type": "LaunchRequest\xff\xfe"}}', "body_not_utf8"),
    "invalid-json": (b'{"request": {"type": "LaunchRequest"', "body_not_json"),
    "empty-body": (b"", "body_not_json"),
    "json-nested-60000-deep": (b"[" * 60_000 + b"]" * 60_000, "body_not_json"),
    "json-opened-100000-deep": (b"[" * 100_000, "body_not_json"),
    "json-nested-40-deep": (json.dumps(_nested(40)).encode(), "not_an_alexa_request"),
    "json-list": (b'[{"request": {"type": "LaunchRequest"}}]', "not_an_alexa_request"),
    "json-number": (b"42", "not_an_alexa_request"),
    "json-string": (b'"LaunchRequest"', "not_an_alexa_request"),
    "json-null": (b"null", "not_an_alexa_request"),
    "object-without-request": (b'{"version": "1.0"}', "not_an_alexa_request"),
    "request-not-an-object": (b'{"request": "LaunchRequest"}', "not_an_alexa_request"),
    "request-without-type": (b'{"request": {"locale": "en-GB"}}', "not_an_alexa_request"),
}

BAD_REQUESTS: dict[str, tuple[MakeBad, int, str]] = {
    **{name: (_from_refusal(make), 400, reason) for name, (make, reason) in REFUSALS.items()},
    **{
        f"cert-url-{name}": (
            _signed_launch(url=url),
            400,
            reason if url else "cert_url_missing",
        )
        for name, (url, reason) in INVALID_CERT_URLS.items()
    },
    "unsigned": (lambda p: Bad(launch_body(), {}), 400, "cert_url_missing"),
    "timestamp-151s-old": (_at(-151), 400, "timestamp_out_of_range"),
    "timestamp-151s-ahead": (_at(151), 400, "timestamp_out_of_range"),
    "timestamp-missing": (_at(None), 400, "timestamp_missing"),
    "foreign-skill-id": (_foreign_skill, 400, "skill_id_mismatch"),
    **{
        name: (_signed_body(body), 400, reason) for name, (body, reason) in NOT_ALEXA_BODIES.items()
    },
    "session-attributes-string": (
        _signed_event(_with_attributes("check")),
        400,
        "not_an_alexa_request",
    ),
    "session-attributes-list": (
        _signed_event(_with_attributes(["said"])),
        400,
        "not_an_alexa_request",
    ),
    "session-attributes-nested-40-deep": (
        _signed_event(_with_attributes(_nested(40))),
        400,
        "not_an_alexa_request",
    ),
    "session-not-an-object": (
        _signed_event(lambda e: e.__setitem__("session", "x")),
        400,
        "not_an_alexa_request",
    ),
    "body-over-128-kib": (
        _signed_body(launch_body() + b" " * (MAX_BODY_BYTES + 1 - len(launch_body()))),
        413,
        "request_entity_too_large",
    ),
    "get": (lambda p: Bad(b"", {}, method="GET"), 405, "method_not_allowed"),
    "put": (_signed_launch(method="PUT"), 405, "method_not_allowed"),
    "delete": (lambda p: Bad(b"", {}, method="DELETE"), 405, "method_not_allowed"),
    "post-to-health": (lambda p: Bad(b"", {}, path="/health"), 405, "method_not_allowed"),
    "unknown-path": (lambda p: Bad(launch_body(), {}, path="/alexa/"), 404, "not_found"),
}


def send_bad(client: FlaskClient, pki: Pki, make: MakeBad) -> TestResponse:
    bad = make(pki)
    return post(client, bad.body, bad.headers, bad.method, bad.path)


@pytest.mark.parametrize(
    ("make", "status", "error"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys()
)
def test_bad_request_gets_a_short_json_4xx(
    client: FlaskClient, pki: Pki, make: MakeBad, status: int, error: str
) -> None:
    assert_refused(send_bad(client, pki, make), status, error)


@pytest.mark.parametrize(
    ("make", "status", "error"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys()
)
def test_conversation_goes_on_after_a_bad_request(
    echo: Echo, client: FlaskClient, pki: Pki, make: MakeBad, status: int, error: str
) -> None:
    echo.launch()
    assert_refused(send_bad(client, pki, make), status, error)
    assert_question(echo.intent("ScanIntent"))
    said = assert_question(echo.intent(YES))
    assert said.startswith(flat(M.check_intro)), "the session attributes still work"


@pytest.mark.parametrize(
    ("make", "status", "error"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys()
)
def test_refused_request_logs_its_reason_and_nothing_from_the_request(
    client: FlaskClient,
    pki: Pki,
    caplog: pytest.LogCaptureFixture,
    make: MakeBad,
    status: int,
    error: str,
) -> None:
    log_everything(caplog)
    bad = make(pki)
    assert_refused(post(client, bad.body, bad.headers, bad.method, bad.path), status, error)
    messages = [record.getMessage() for record in caplog.records]
    if status == 400:
        assert any(f"reason={error}" in message for message in messages), messages
    forbidden = [*BODY_TEXT, bad.headers.get("Signature-256", "no signature")[:40]]
    assert not [f for f in forbidden if f in caplog.text], caplog.text
    assert "Traceback" not in caplog.text


def test_good_conversation_logs_no_ids(echo: Echo, caplog: pytest.LogCaptureFixture) -> None:
    log_everything(caplog)
    echo.launch()
    echo.intent("ScanIntent")
    echo.intent(YES)
    echo.intent(YES)
    assert caplog.records, "each request is logged"
    forbidden = set(BODY_TEXT)
    forbidden |= {e["request"]["requestId"] for e in echo.events}
    assert not [f for f in forbidden if f in caplog.text], caplog.text


# -- what flask-ask-sdk would answer 500 for ----------------------------------------------------

# Envelopes that parse as JSON and look like Alexa requests, but that the ASK SDK's model
# cannot deserialise: a value Alexa might add after this SDK was released, or a damaged field.
SDK_UNREADABLE: dict[str, Callable[[dict[str, Any]], Any]] = {
    "new-session-ended-reason": lambda e: e["request"].update(
        type="SessionEndedRequest", reason="REASON_ADDED_LATER_SECRET_VALUE"
    ),
    "intent-not-an-object": lambda e: e["request"].update(type="IntentRequest", intent="Scan"),
    "context-not-an-object": lambda e: e.__setitem__("context", "none"),
}


@pytest.mark.parametrize("change", SDK_UNREADABLE.values(), ids=SDK_UNREADABLE.keys())
def test_signed_envelope_the_sdk_cannot_read_is_a_400_not_a_500(
    client: FlaskClient, pki: Pki, change: Callable[[dict[str, Any]], Any]
) -> None:
    response = send_bad(client, pki, _signed_event(change))
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert set(response.get_json()) == {"error"}


def test_signed_envelope_the_sdk_cannot_read_leaves_no_traceback_or_body_in_the_logs(
    client: FlaskClient, pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    log_everything(caplog)
    send_bad(client, pki, _signed_event(SDK_UNREADABLE["new-session-ended-reason"]))
    assert "SECRET_VALUE" not in caplog.text
    assert "Traceback" not in caplog.text


def test_next_request_works_after_one_the_sdk_cannot_read(echo: Echo, pki: Pki) -> None:
    echo.launch()
    response = send_bad(echo.client, pki, _signed_event(SDK_UNREADABLE["intent-not-an-object"]))
    assert response.status_code >= 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert assert_question(echo.intent("ScanIntent"))


# -- --insecure-dev and production --------------------------------------------------------------


def test_insecure_dev_app_answers_unsigned_requests(dev_client: FlaskClient) -> None:
    echo = Echo(dev_client, signer=None)
    assert assert_question(echo.launch()).startswith(flat(M.welcome))
    assert_question(echo.intent("ScanIntent"))
    assert assert_question(echo.intent(YES)).startswith(flat(M.check_intro))


def test_insecure_dev_app_without_skill_id_answers_any_skill(dev_client: FlaskClient) -> None:
    response = post(dev_client, body_of(launch_event(OTHER_SKILL_ID)))
    assert response.status_code == 200


def test_insecure_dev_app_with_skill_id_refuses_other_skills() -> None:
    client = create_app(skill_id=SKILL_ID, verifier=None).test_client()
    assert post(client, launch_body()).status_code == 200
    assert_refused(post(client, body_of(launch_event(OTHER_SKILL_ID))), 400, "skill_id_mismatch")


@pytest.mark.parametrize(("body", "error"), NOT_ALEXA_BODIES.values(), ids=NOT_ALEXA_BODIES.keys())
def test_insecure_dev_app_refuses_what_is_not_an_alexa_request_with_a_400(
    dev_client: FlaskClient, body: bytes, error: str
) -> None:
    # flask-ask-sdk alone answers 500 to invalid UTF-8, invalid or too deep JSON.
    assert_refused(post(dev_client, body), 400, error)
    assert post(dev_client, launch_body()).status_code == 200


@pytest.mark.parametrize(
    "environ", [{}, {"SKILL_ID": ""}, {"SKILL_ID": "  "}], ids=["unset", "empty", "blank"]
)
def test_production_app_will_not_start_without_skill_id(environ: dict[str, str]) -> None:
    with pytest.raises(MissingSkillIdError, match="SKILL_ID"):
        production_app(environ)


def test_production_app_verifies_requests(pki: Pki) -> None:
    client = production_app({"SKILL_ID": SKILL_ID}).test_client()
    assert_refused(post(client, launch_body()), 400, "cert_url_missing")
    # Signed by a CA that is not one of the public roots: refused too (no network: the
    # fetch of a chain URL that is not Amazon's own is refused before it starts).
    body = launch_body()
    assert_refused(
        post(client, body, signed(pki.good, body, "https://s3.amazonaws.com/other/x.pem")),
        400,
        "cert_url_wrong_path",
    )
    assert client.get("/health").get_json() == {"status": "ok"}


# -- the flask-ask-sdk import workaround, in fresh interpreters ---------------------------------


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_skill_web_imports_and_serves_in_a_fresh_interpreter() -> None:
    done = run_python(
        """
        import skill.web
        app = skill.web.create_app(skill_id=None, verifier=None)
        print(app.test_client().get("/health").status_code)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "200"


def test_flask_ask_sdk_imports_after_the_workaround() -> None:
    done = run_python(
        """
        import skill.web
        skill.web._flask_ask_sdk()
        import flask_ask_sdk.skill_adapter
        print(flask_ask_sdk.skill_adapter.SkillAdapter.__name__)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SkillAdapter"


def _certvalidator_loads() -> bool:
    return run_python("import certvalidator").returncode == 0


def test_plain_certvalidator_import_fails_on_this_machine() -> None:
    done = run_python("import certvalidator")
    if done.returncode == 0:
        pytest.skip("certvalidator loads here: the workaround has nothing to replace")
    assert "libcrypto" in done.stderr or "oscrypto" in done.stderr, done.stderr


def test_certvalidator_is_replaced_only_where_it_cannot_load() -> None:
    done = run_python(
        """
        import sys
        import skill.web
        skill.web._flask_ask_sdk()
        module = sys.modules["certvalidator"]
        print("real" if getattr(module, "__file__", None) else "stand-in")
        if not getattr(module, "__file__", None):
            try:
                module.CertificateValidator(b"certificate")
            except RuntimeError as error:
                print("refused:", error)
        """
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    if _certvalidator_loads():
        assert lines == ["real"]
    else:
        assert lines[0] == "stand-in"
        assert lines[1].startswith("refused:"), "the stand-in must fail loudly if used"
        assert "skill.verify" in lines[1]
