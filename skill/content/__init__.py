"""Clinician-editable content: TOML files loaded and checked by :mod:`skill.content_model`."""
