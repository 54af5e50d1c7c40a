"""Engines for the analytics tests: the pipeline tests' ``engine`` (DuckDB, and Spark
marked ``spark``) and ``spark`` fixtures, shared rather than defined twice."""

from __future__ import annotations

from pipeline.conftest import engine, spark

__all__ = ["engine", "spark"]
