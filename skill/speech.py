"""Plain text to SSML that Alexa accepts.

Content is plain text; this is the one place that turns it into SSML, so escaping cannot be
forgotten by a handler. Phone numbers are read digit by digit: "nine nine nine", not
"nine hundred and ninety-nine".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# 999 or 111 on their own, not inside "1,111", "999.5" or "£999".
PHONE_NUMBERS = re.compile(r"(?<![\d,.£$])\b(999|111)\b(?![.,]?\d)")
# Characters XML 1.0 does not allow (speech recognition should never send them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What xml.sax.saxutils.escape and unescape do, in the same order, written out: importing that
# module imports urllib.request, and with it http.client, email and ssl (about 15 ms of every
# Lambda cold start). tests/test_fast_path.py checks both against saxutils.
_ESCAPES = (("&", "&amp;"), (">", "&gt;"), ("<", "&lt;"), ('"', "&quot;"), ("'", "&apos;"))
_UNESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def escape_xml(text: str) -> str:
    for plain, entity in _ESCAPES:
        text = text.replace(plain, entity)
    return text


def unescape_xml(text: str) -> str:
    for entity, plain in _UNESCAPES:
        text = text.replace(entity, plain)
    return text


def to_ssml(sentences: Iterable[str]) -> str:
    """The inner SSML for some sentences (the ASK SDK adds the ``<speak>`` element)."""
    text = _CONTROL.sub("", " ".join(s.strip() for s in sentences if s.strip()))
    escaped = escape_xml(text)
    return PHONE_NUMBERS.sub(r'<say-as interpret-as="digits">\1</say-as>', escaped)


def strip_ssml(ssml: str) -> str:
    """What a listener hears, as text: tags removed and entities decoded (for the chat)."""
    text = re.sub(r"<[^>]+>", "", ssml)
    return unescape_xml(text)
