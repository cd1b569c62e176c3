"""Audit trail of served matches, and their replay."""
