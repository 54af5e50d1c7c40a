"""The record plane: schema, ingest and the Parquet record store (POP-1, POP-2, POP-3)."""
