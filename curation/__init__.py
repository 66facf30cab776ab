"""Curation: changes to the stored facts, the bearer tokens that allow them, and their audit log."""
