"""The two web apps the benchmark serves with gunicorn (``bench.web_apps:skill_app()``).

``skill_app``: this project's app exactly as production builds it (``skill.web.create_app``
with ``AlexaRequestVerifier``), request verification ON, trusting only the benchmark's test CA.
Its chain "download" reads the PEM file named by BENCH_CHAIN_PEM; the verifier caches it after
the first request, as it caches Amazon's. Everything else, the clock included, is production.

``baseline_app``: the baseline skill (bench/baseline_skill.py) served the way flask-ask-sdk's
documentation shows, with its request verification OFF, as a developer would run it locally.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from skill import envelopes
from skill.web import _flask_ask_sdk, create_app

CHAIN_ENV = "BENCH_CHAIN_PEM"
ROOT_ENV = "BENCH_ROOT_PEM"


def skill_app() -> Flask:
    from cryptography import x509

    from skill.verify import AlexaRequestVerifier

    chain = Path(os.environ[CHAIN_ENV]).read_bytes()
    root = x509.load_pem_x509_certificate(Path(os.environ[ROOT_ENV]).read_bytes())

    def fetch(url: str) -> bytes:
        return chain

    verifier = AlexaRequestVerifier(fetch=fetch, roots=[root])
    return create_app(skill_id=envelopes.DEFAULT_SKILL_ID, verifier=verifier)


def baseline_app() -> Flask:
    # flask-ask-sdk cannot be imported on OpenSSL 3.0.10+ without the stand-in that
    # skill.web registers for certvalidator; with verification off it is never called.
    sdk = _flask_ask_sdk()
    from bench.baseline_skill import sb

    app = Flask(__name__)
    app.config[sdk.VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[sdk.VERIFY_TIMESTAMP_APP_CONFIG] = False
    skill_adapter = sdk.SkillAdapter(
        skill=sb.create(), skill_id=envelopes.DEFAULT_SKILL_ID, app=app
    )
    skill_adapter.register(app=app, route="/alexa")

    @app.get("/health")
    def health() -> Any:  # for the benchmark to know the server is up; not measured
        return {"status": "ok"}

    return app
