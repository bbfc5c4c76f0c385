"""Back pain helper: an Alexa skill for back-pain self-care and a warning-sign check.

The package is layered so that the conversation can be reviewed and tested without Alexa:
``content`` (data files) and ``triage``/``conversation`` (pure logic) know nothing of the
ASK SDK; ``handlers`` and ``alexa`` adapt Alexa requests to them.
"""
