"""The HTML report of a stratification run: the pyramid, hidden populations, why people
are at level 3, scores by level and counts by locality (STRAT-5, POP-5, COM-7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import polars as pl
import pyarrow as pa
import vl_convert as vlc

from ltc.analytics import suppression
from ltc.pipeline import rules
from ltc.pipeline.levels import LEVEL_NAMES
from ltc.pipeline.runs import Run

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ltc.pipeline", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]))


def pyramid_chart(counts: dict[int, int]) -> alt.Chart:
    data = [{"level": f"{lv} {LEVEL_NAMES[lv]}", "people": counts.get(lv, 0), "order": lv}
            for lv in (3, 2, 1, 0)]
    chart: alt.Chart = alt.Chart(alt.InlineData(values=data)).mark_bar(color="#005eb8").encode(
        y=alt.Y("level:N", sort=alt.EncodingSortField("order", order="descending"),
                title=None),
        x=alt.X("people:Q", title="people"),
        tooltip=["level:N", "people:Q"],
    ).properties(width=560, height=180)
    return chart


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
    svg = vlc.vegalite_to_svg(pyramid_chart(counts).to_dict())
    html = _env.get_template("run_report.html.j2").render(
        run=run, total=total, levels=levels, hidden=hidden, criteria=criteria,
        scores=scores, localities=localities, pyramid_svg=svg, model_card=model_card)
    path = run.folder / "report.html"
    path.write_text(html)
    return path
