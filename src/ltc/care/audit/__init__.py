"""The audit trail: every read and change of a person's data (privacy; no capability of
its own)."""
