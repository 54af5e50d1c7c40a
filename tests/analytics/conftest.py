"""The analytics tests' Spark session: the pipeline tests' ``spark`` fixture (skipped
with the reason when pyspark or Java is missing), shared rather than defined twice."""

from __future__ import annotations

from pipeline.conftest import spark

__all__ = ["spark"]
