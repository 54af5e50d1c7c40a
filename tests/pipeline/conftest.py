"""Engines for the pipeline tests: every spec test runs on DuckDB and on Spark.

The Spark session is started once per test process, on first use, and shared by every test
marked ``spark`` (each test gets its own child session, so their tables never meet). Spark
needs the ``spark`` extra and Java 17 (``make test`` installs both); without them the Spark
runs are skipped with the reason.
"""

from __future__ import annotations

import shutil

import pytest

from ltc.pipeline.engine import spark_session

SPARK = pytest.param("spark", marks=[pytest.mark.spark, pytest.mark.xdist_group("spark")],
                     id="spark")


@pytest.fixture(scope="session")
def spark() -> object:
    """The process's Spark session (skips when pyspark or Java is missing)."""
    pytest.importorskip("pyspark", reason="the Spark engine needs the 'spark' extra")
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java 17 (openjdk-17-jre-headless)")
    return spark_session()


@pytest.fixture(params=["duckdb", SPARK])
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a pipeline test runs on: ``duckdb`` or ``spark``."""
    name: str = request.param
    if name == "spark":
        request.getfixturevalue("spark")
    return name
