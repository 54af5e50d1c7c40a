"""The HTML report of a stratification run: the pyramid, hidden populations, why people
are at level 3, scores by level and counts by locality (STRAT-5, POP-5, COM-7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import polars as pl
import pyarrow as pa

from ltc.analytics import suppression
from ltc.pipeline import rules
from ltc.pipeline.levels import LEVEL_NAMES
from ltc.pipeline.runs import Run

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ltc.pipeline", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]))


#: Drawing of the pyramid: one centred bar per level, widest at the bottom.
PYRAMID_WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 520, 34, 6, 280


def pyramid_bars(counts: dict[int, int]) -> list[dict[str, Any]]:
    """The pyramid as centred bars (level 3 on top), each as wide as its share of the
    largest level (at least 4 px so a small level stays visible), for the SVG template."""
    largest = max([counts.get(lv, 0) for lv in (3, 2, 1, 0)] + [1])
    total = max(sum(counts.values()), 1)
    bars = []
    for row, lv in enumerate((3, 2, 1, 0)):
        people = counts.get(lv, 0)
        width = max(4.0, PYRAMID_WIDTH * people / largest) if people else 0.0
        bars.append({"level": lv, "name": LEVEL_NAMES[lv], "people": people,
                     "percent": 100 * people / total, "width": round(width, 1),
                     "x": round(LABEL_WIDTH + (PYRAMID_WIDTH - width) / 2, 1),
                     "y": row * (BAR_HEIGHT + GAP)})
    return bars


def render(run: Run, people: pa.Table, model_card: str | None = None) -> Path:
    frame = pl.from_arrow(people)
    assert isinstance(frame, pl.DataFrame)
    total = frame.height
    counts = {int(k): int(v) for k, v in frame.group_by("level").len().iter_rows()}
    levels = [{"level": lv, "name": LEVEL_NAMES[lv], "people": counts.get(lv, 0),
               "percent": 100 * counts.get(lv, 0) / max(total, 1)} for lv in (3, 2, 1, 0)]
    top = frame.filter(pl.col("level") == 3)
    n3 = top.height
    hidden = {"nursing": 100 * top["known_to_community_nursing"].sum() / max(n3, 1),
              "social": 100 * top["known_to_social_care"].sum() / max(n3, 1)}
    criteria: list[dict[str, Any]] = []
    for name in run.meta["policy"]["rule_sets"]:
        rs = rules.load(name)
        for cid in rs.shown:
            met = int(top[f"{rs.id}__{cid}"].sum()) if n3 else 0
            criteria.append({"label": f"{rs.name}: {rs.criteria[cid].label}",
                             "count": suppression.count(met) if suppression.count(met)
                             is not None else suppression.WITHHELD,
                             "percent": suppression.show_percent(met, n3)})
    scores = frame.group_by("level").agg(
        pl.col("age").mean(), pl.col("charlson").fill_null(0).mean(),
        pl.col("efi").fill_null(0).mean(), pl.col("hfrs").fill_null(0).mean(),
        pl.col("cms").fill_null(0).mean(), pl.col("medicines_12m").mean().alias("medicines"),
    ).sort("level", descending=True).to_dicts()
    by_locality = frame.group_by(["locality_code", "level"]).len()
    localities = []
    for loc in sorted(by_locality["locality_code"].unique().to_list(), key=str):
        rows = by_locality.filter(pl.col("locality_code") == loc)
        cells = {int(r["level"]): int(r["len"]) for r in rows.iter_rows(named=True)}
        shown = []
        for lv in (3, 2, 1, 0):
            n = suppression.count(cells.get(lv, 0))
            shown.append(suppression.WITHHELD if n is None else f"{n:,}")
        localities.append({"name": loc or "(no locality)", "cells": shown})
    html = _env.get_template("run_report.html.j2").render(
        run=run, total=total, levels=levels, hidden=hidden, criteria=criteria,
        scores=scores, localities=localities, bars=pyramid_bars(counts),
        drawing={"label": LABEL_WIDTH, "width": PYRAMID_WIDTH, "bar": BAR_HEIGHT,
                 "gap": GAP}, model_card=model_card)
    path = run.folder / "report.html"
    path.write_text(html)
    return path
