"""The stratification pipeline: features, rules, scores, models and levels as Ibis
expressions, run on DuckDB (default) or Spark (STRAT-1 to STRAT-7, POP-5)."""
