"""Catalog questions (counts, lists, who wrote what) answered from the papers' records, not from abstracts."""
