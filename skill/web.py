"""The self-hosted HTTPS endpoint: a Flask app serving the skill through flask-ask-sdk.

``POST /alexa`` takes Alexa's requests; ``GET /health`` answers load balancers. Every request
is checked before the ASK SDK sees it: body size, the Alexa signature over the raw bytes,
UTF-8, JSON, shape, timestamp and skill id. Anything that fails gets a short JSON 4xx. Only
then does flask-ask-sdk's ``SkillAdapter`` dispatch it to the same skill object as Lambda.

Run it in production with gunicorn (``gunicorn 'skill.web:production_app()'``) behind TLS;
``backpain serve`` runs it for development.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import types
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model.request import Request
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from skill.alexa import application_id, create_skill
from skill.serializer import FastSerializer, from_json_value
from skill.verify import AlexaRequestVerifier, RequestRejectedError

log = logging.getLogger("skill.web")

MAX_BODY_BYTES = 128 * 1024
"""Far above any Alexa request (a few KiB), far below what could tie up a worker."""
MAX_JSON_DEPTH = 32
"""Alexa's envelopes nest about ten deep; deeper is not from Alexa."""


def _flask_ask_sdk() -> types.ModuleType:
    """flask-ask-sdk's skill_adapter module, importable even where its verifier's stack is not.

    ask-sdk-webservice-support imports certvalidator at module level, and certvalidator's
    oscrypto 1.3.0 cannot parse the version of OpenSSL 3.0.10 and later, so on most current
    Linux machines ``import flask_ask_sdk`` fails. We never use that verifier (skill.verify
    does the job on ``cryptography``), so where certvalidator cannot load we register a
    stand-in that fails loudly if anything calls it. Where it loads, nothing is replaced.
    """
    try:
        import certvalidator  # noqa: F401
    except Exception:  # LibraryNotFoundError from oscrypto, or any later breakage

        class CertValidatorUnavailableError(RuntimeError):
            pass

        class _Unavailable:
            def __init__(self, *args: object, **kwargs: object) -> None:
                raise CertValidatorUnavailableError(
                    "certvalidator cannot load here; skill.verify checks requests instead"
                )

        stand_in = types.ModuleType("certvalidator")
        stand_in.CertificateValidator = _Unavailable  # type: ignore[attr-defined]
        errors = types.ModuleType("certvalidator.errors")
        errors.ValidationError = CertValidatorUnavailableError  # type: ignore[attr-defined]
        errors.PathError = CertValidatorUnavailableError  # type: ignore[attr-defined]
        stand_in.errors = errors  # type: ignore[attr-defined]
        sys.modules["certvalidator"] = stand_in
        sys.modules["certvalidator.errors"] = errors
    import flask_ask_sdk.skill_adapter as sdk

    module: types.ModuleType = sdk
    return module


def _depth_ok(value: Any) -> bool:
    """True when ``value`` nests no deeper than MAX_JSON_DEPTH (level by level, no recursion)."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_JSON_DEPTH:
            return False
        deeper = []
        for node in level:
            for child in node.values() if type(node) is dict else node:
                if type(child) is dict or type(child) is list:
                    deeper.append(child)
        level = deeper
    return True


def parse_body(body: bytes) -> tuple[str, dict[str, Any]]:
    """The body as text and the envelope, or RequestRejectedError for what Alexa never sends."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRejectedError("body_not_utf8") from None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise RequestRejectedError("body_not_json") from None
    if not isinstance(payload, dict) or not _depth_ok(payload):
        raise RequestRejectedError("not_an_alexa_request")
    alexa_request = payload.get("request")
    if not isinstance(alexa_request, dict) or not isinstance(alexa_request.get("type"), str):
        raise RequestRejectedError("not_an_alexa_request")
    session = payload.get("session")
    if session is not None and not isinstance(session, dict):
        raise RequestRejectedError("not_an_alexa_request")
    if isinstance(session, dict) and not isinstance(session.get("attributes"), dict | None):
        raise RequestRejectedError("not_an_alexa_request")
    return text, payload


class _ParsedOnceSerializer(FastSerializer):
    """Reads the envelope the view has already parsed and checked, instead of parsing again.

    flask-ask-sdk hands the serializer the body as text; when it is the text the view parsed
    for this request, the parsed value is used. Any other text is parsed as usual.
    """

    def deserialize(self, payload: str | bytes | None, obj_type: Any) -> Any:
        parsed = g.get(_PARSED)
        if parsed is not None and parsed[0] == payload:
            return from_json_value(parsed[1], obj_type)
        return super().deserialize(payload, obj_type)


_PARSED = "alexa_parsed_body"


class _NoTracebacks(logging.Filter):
    """flask-ask-sdk logs failures with tracebacks, whose frames can quote the request body."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


def _error(reason: str, status: int) -> tuple[Response, int]:
    return jsonify(error=reason), status


def create_app(
    *,
    skill_id: str | None,
    verifier: AlexaRequestVerifier | None,
    skill: CustomSkill | None = None,
) -> Flask:
    """The web app. ``verifier=None`` turns request verification off: development only."""
    sdk = _flask_ask_sdk()
    app = Flask("skill.web")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # Flask sorts keys by default; with an APL document in most answers that sort was a
    # measurable part of each response (docs/performance.md). Alexa does not care for order.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # The SDK's own verifiers stay off: ours run first, before the body is deserialised.
    app.config[sdk.VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[sdk.VERIFY_TIMESTAMP_APP_CONFIG] = False
    skill = skill or create_skill()
    skill.serializer = _ParsedOnceSerializer()  # type: ignore[assignment]
    adapter = sdk.SkillAdapter(skill=skill, skill_id=skill_id or "unverified-development", app=app)
    app.logger.addFilter(_NoTracebacks())

    @app.post("/alexa")
    def alexa() -> Any:
        body = request.get_data(cache=True)
        try:
            if verifier is not None:
                verifier.check_signature(request.headers, body)
            text, payload = parse_body(body)
            g.setdefault(_PARSED, (text, payload))
            if verifier is not None:
                verifier.check_request(payload)
            if skill_id and application_id(payload) != skill_id:
                raise RequestRejectedError("skill_id_mismatch")
        except RequestRejectedError as refused:
            log.warning("event=refused reason=%s", refused.reason)
            return _error(refused.reason, 400)
        if payload["request"]["type"] not in Request.discriminator_value_class_map:
            # Newer than the SDK: an empty response is valid for every request type.
            log.warning("event=unknown_request_type")
            return jsonify(version="1.0", response={})
        try:
            return adapter.dispatch_request()
        except InternalServerError as failure:
            # flask-ask-sdk turns every SDK error into a 500. A signed envelope the SDK
            # cannot read (a field value newer than the SDK) is a bad request, not our fault.
            if isinstance(failure.__context__, SerializationException):
                log.warning("event=refused reason=envelope_unreadable")
                return _error("envelope_unreadable", 400)
            raise

    @app.get("/health")
    def health() -> Any:
        return jsonify(status="ok")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        name = (error.name or "error").lower().replace(" ", "_")
        return _error(name, error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.error("event=error type=%s", type(error).__name__)
        return _error("internal_error", 500)

    return app


class MissingSkillIdError(RuntimeError):
    """Production without SKILL_ID: any skill's requests would be answered."""


def production_app(environ: Mapping[str, str] | None = None) -> Flask:
    """The app for gunicorn: verification on, and SKILL_ID required."""
    environ = os.environ if environ is None else environ
    skill_id = environ.get("SKILL_ID", "").strip()
    if not skill_id:
        # Not SystemExit: gunicorn restarts a worker that exits, forever, but stops the whole
        # server ("Worker failed to boot") when the app cannot be loaded.
        raise MissingSkillIdError("SKILL_ID must be set to your skill's id (amzn1.ask.skill...).")
    return create_app(skill_id=skill_id, verifier=AlexaRequestVerifier())
