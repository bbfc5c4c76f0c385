"""Real server processes on a free loopback port: gunicorn with the app, and ``backpain serve``.

gunicorn runs tests/web_test_app.py (the real app, trusting a test CA written to tmp_path) with
two workers, and an Echo holds a whole signed conversation with it over HTTP, with the real
clock. ``backpain serve`` runs as a user would run it. Nothing leaves 127.0.0.1: the production
verifier refuses an unsigned request before it would fetch anything.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from signing import Authority, Signer, body_of, pem

from skill import envelopes
from skill.content_model import Level, default_content
from skill.conversation import CHECK_SYMPTOMS, NO, YES
from skill.nlu import SlotValue
from skill.web import MAX_BODY_BYTES

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
BACKPAIN = Path(sys.executable).parent / "backpain"
START_TIMEOUT_SECONDS = 15.0
USER_ID = "amzn1.ask.account.SERVERTESTUSER" + "U" * 40
DEVICE_ID = "amzn1.ask.device.SERVERTESTDEVICE" + "D" * 40
CONTENT = default_content()
M = CONTENT.messages
QUESTIONS = CONTENT.questions

# No proxy, whatever the environment says: every request here is for 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def call(
    method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
) -> tuple[int, Any]:
    """The status and the JSON answer of one request."""
    request = urllib.request.Request(url, data=body, headers=dict(headers or {}), method=method)
    try:
        with _OPENER.open(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, json.loads(refused.read())


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SKILL_ID"}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(REPO), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    stderr_path: Path

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server exited with {server.process.returncode}:\n{server.stderr}")
        try:
            if call("GET", f"{server.url}/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    pytest.fail(f"server did not answer /health within {START_TIMEOUT_SECONDS}s:\n{server.stderr}")


@contextmanager
def running(command: list[str], port: int, env: dict[str, str], logs: Path) -> Iterator[Server]:
    """Start ``command``, wait for /health, and always stop the process afterwards."""
    logs.mkdir(parents=True, exist_ok=True)
    stderr_path = logs / "stderr.txt"
    with (logs / "stdout.txt").open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=TESTS, env=env, stdout=stdout, stderr=stderr)
    server = Server(f"http://127.0.0.1:{port}", process, stderr_path)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- reading Alexa responses --------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.split())


def speech(answer: Mapping[str, Any]) -> str:
    root = ET.fromstring(answer["response"]["outputSpeech"]["ssml"])
    assert root.tag == "speak"
    return flat("".join(root.itertext()))


def question(answer: Mapping[str, Any]) -> str:
    assert answer["response"]["shouldEndSession"] is False
    assert answer["response"]["reprompt"]["outputSpeech"]["ssml"]
    return speech(answer)


def final(answer: Mapping[str, Any]) -> str:
    assert answer["response"]["shouldEndSession"] is True
    return speech(answer)


@dataclass
class HttpEcho:
    """An Echo talking to a real server: requests signed and stamped with the real time."""

    url: str
    signer: Signer | None
    session: envelopes.Session | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            self.session = envelopes.Session(user_id=USER_ID, device_id=DEVICE_ID)
        event = self.session.envelope(request)  # timestamped now
        self.events.append(event)
        body = body_of(event)
        headers = self.signer.headers(body) if self.signer else {}
        status, answer = call("POST", f"{self.url}/alexa", body, headers)
        assert status == 200, answer
        assert answer["version"] == "1.0"
        if not self.session.advance(answer):
            self.session = None
        return dict(answer)

    def launch(self) -> dict[str, Any]:
        return self.send(envelopes.launch_request())

    def intent(self, name: str, **slots: SlotValue) -> dict[str, Any]:
        return self.send(envelopes.intent_request(name, slots))


# -- gunicorn, two workers, signed requests -----------------------------------------------------


@pytest.fixture(scope="module")
def signer() -> tuple[Authority, Signer]:
    now = dt.datetime.now(dt.UTC)
    authority = Authority()
    return authority, authority.leaf(
        not_before=now - dt.timedelta(hours=1), not_after=now + dt.timedelta(hours=1)
    )


def _no_control_socket() -> list[str]:
    """gunicorn 27 and later open a control socket in ~/.gunicorn unless told not to."""
    from gunicorn.config import KNOWN_SETTINGS  # type: ignore[import-untyped]

    names = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


@pytest.fixture(scope="module")
def gunicorn(
    signer: tuple[Authority, Signer], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    authority, leaf = signer
    files = tmp_path_factory.mktemp("gunicorn")
    (files / "chain.pem").write_bytes(leaf.chain_pem)
    (files / "root.pem").write_bytes(pem(authority.root))
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        *_no_control_socket(),
        "web_test_app:app()",
    ]
    env = server_env(
        BACKPAIN_TEST_CHAIN_PEM=str(files / "chain.pem"),
        BACKPAIN_TEST_ROOT_PEM=str(files / "root.pem"),
    )
    with running(command, port, env, files / "logs") as server:
        yield server


def test_whole_signed_conversation_over_http_with_gunicorn(
    gunicorn: Server, signer: tuple[Authority, Signer]
) -> None:
    echo = HttpEcho(gunicorn.url, signer[1])
    assert question(echo.launch()).startswith(flat(M.welcome))
    assert question(echo.intent("ScanIntent")).startswith(flat(CONTENT.topics["scan"].speech))
    said = question(echo.intent(YES))
    assert said.startswith(flat(M.check_intro))
    assert said.endswith(flat(QUESTIONS[0].ask))
    for asked in QUESTIONS[1:]:
        assert question(echo.intent(NO)).endswith(flat(asked.ask))
    assert question(echo.intent(NO)).endswith(flat(CONTENT.duration.ask))
    said = final(echo.intent("DurationAnswerIntent", duration=SlotValue("two weeks", "P2W")))
    assert flat(CONTENT.outcomes[Level.SELF_CARE].speech) in said
    assert "999" in said
    assert echo.session is None


def test_red_flag_answer_over_http_ends_with_999(
    gunicorn: Server, signer: tuple[Authority, Signer]
) -> None:
    echo = HttpEcho(gunicorn.url, signer[1])
    echo.launch()
    question(echo.intent(CHECK_SYMPTOMS))
    said = final(echo.intent(YES))
    assert said.startswith(flat(CONTENT.outcomes[Level.EMERGENCY].speech))
    assert "999" in said


def test_unsigned_request_is_refused_and_the_next_signed_one_answered(
    gunicorn: Server, signer: tuple[Authority, Signer]
) -> None:
    body = body_of(envelopes.Session().envelope(envelopes.launch_request()))
    assert call("POST", f"{gunicorn.url}/alexa", body) == (400, {"error": "cert_url_missing"})
    tampered = signer[1].headers(body)
    assert call("POST", f"{gunicorn.url}/alexa", body + b" ", tampered) == (
        400,
        {"error": "signature_invalid"},
    )
    assert question(HttpEcho(gunicorn.url, signer[1]).launch()).startswith(flat(M.welcome))


def test_chunked_body_over_the_limit_is_refused(
    gunicorn: Server, signer: tuple[Authority, Signer]
) -> None:
    # No Content-Length to check up front: the limit must hold while the body is read. The
    # body is a correctly signed request padded past the limit, so only the limit refuses it.
    body = body_of(envelopes.Session().envelope(envelopes.launch_request()))
    body += b" " * (MAX_BODY_BYTES + 1 - len(body))
    chunks = [body[n : n + 16384] for n in range(0, len(body), 16384)]
    port = int(gunicorn.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            "/alexa",
            body=iter(chunks),
            headers=signer[1].headers(body),
            encode_chunked=True,
        )
        answer = connection.getresponse()
        refused = json.loads(answer.read())
    finally:
        connection.close()
    assert 400 <= answer.status < 500
    assert set(refused) == {"error"}


def test_gunicorn_logs_name_the_reason_and_no_ids(
    gunicorn: Server, signer: tuple[Authority, Signer]
) -> None:
    echo = HttpEcho(gunicorn.url, signer[1])
    echo.launch()
    session = envelopes.Session(user_id=USER_ID, device_id=DEVICE_ID)
    call("POST", f"{gunicorn.url}/alexa", body_of(session.envelope(envelopes.launch_request())))
    logged = gunicorn.stderr
    assert "reason=cert_url_missing" in logged
    for secret in (USER_ID, DEVICE_ID, "amzn1.echo-api.session", "amzn1.echo-api.request"):
        assert secret not in logged


# -- backpain serve -----------------------------------------------------------------------------


def test_backpain_serve_refuses_unsigned_requests(tmp_path: Path) -> None:
    port = free_port()
    command = [str(BACKPAIN), "serve", "--port", str(port), "--skill-id", "amzn1.ask.skill.test"]
    with running(command, port, server_env(), tmp_path) as server:
        assert call("GET", f"{server.url}/health") == (200, {"status": "ok"})
        session = envelopes.Session(skill_id="amzn1.ask.skill.test")
        body = body_of(session.envelope(envelopes.launch_request()))
        assert call("POST", f"{server.url}/alexa", body) == (400, {"error": "cert_url_missing"})
        not_https = {"SignatureCertChainUrl": "http://s3.amazonaws.com/echo.api/x.pem"}
        not_https["Signature-256"] = "AAAA"
        assert call("POST", f"{server.url}/alexa", body, not_https) == (
            400,
            {"error": "cert_url_not_https"},
        )
        assert "verification is OFF" not in server.stderr


def test_backpain_serve_without_skill_id_will_not_start() -> None:
    done = subprocess.run(
        [str(BACKPAIN), "serve", "--port", str(free_port())],
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert "SKILL_ID" in done.stderr


def test_backpain_serve_insecure_dev_warns_and_answers_unsigned_requests(tmp_path: Path) -> None:
    port = free_port()
    command = [str(BACKPAIN), "serve", "--insecure-dev", "--port", str(port)]
    with running(command, port, server_env(), tmp_path) as server:
        warning = next(line for line in server.stderr.splitlines() if "--insecure-dev" in line)
        assert "WARNING: request verification is OFF" in warning
        echo = HttpEcho(server.url, signer=None)
        assert question(echo.launch()).startswith(flat(M.welcome))
        assert question(echo.intent("ScanIntent"))


def test_gunicorn_production_command_without_skill_id_stops_instead_of_restarting() -> None:
    # The README's production command. Without SKILL_ID the app must not load, and gunicorn
    # must stop ("Worker failed to boot"), not restart workers forever looking alive.
    env = server_env()
    env.pop("SKILL_ID", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{free_port()}",
        *_no_control_socket(),
        "skill.web:production_app()",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "SKILL_ID" in done.stderr
