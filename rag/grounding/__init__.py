"""Grounding: every claim of an answer checked against the sentences it cites."""
