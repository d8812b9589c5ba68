"""The resident-facing theme: base template, includes and static files.

Elder-friendly by design: large text, high contrast, big touch targets, plain words.
"""
