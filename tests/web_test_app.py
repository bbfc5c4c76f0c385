"""An app factory for gunicorn in tests/test_web_server.py: the real app, trusting the test CA.

``gunicorn 'web_test_app:app()'`` with tests/ importable. The verifier's chain "download"
reads the PEM chain named by BACKPAIN_TEST_CHAIN_PEM (for any chain URL that passes Amazon's
URL rules), and its only trusted root is the PEM named by BACKPAIN_TEST_ROOT_PEM. Everything
else, including the clock, is as in production.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from flask import Flask

from skill import envelopes
from skill.verify import AlexaRequestVerifier
from skill.web import create_app

CHAIN_ENV = "BACKPAIN_TEST_CHAIN_PEM"
ROOT_ENV = "BACKPAIN_TEST_ROOT_PEM"


def app() -> Flask:
    chain = Path(os.environ[CHAIN_ENV]).read_bytes()
    root = x509.load_pem_x509_certificate(Path(os.environ[ROOT_ENV]).read_bytes())

    def fetch(url: str) -> bytes:
        return chain

    verifier = AlexaRequestVerifier(fetch=fetch, roots=[root])
    return create_app(skill_id=envelopes.DEFAULT_SKILL_ID, verifier=verifier)
