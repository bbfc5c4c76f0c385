"""Clinician-editable content: TOML files loaded and checked by :mod:`skill.content_model`.

``apl/`` holds the screen layouts (APL documents) that show the same content on Echo Show,
Echo Spot and Fire TV.
"""
