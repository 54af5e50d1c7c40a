"""The model card of an emergency admission risk model (STRAT-3), in Markdown and HTML.

A card shows what the model is for and how well it did on people it was not trained
on: the metrics table, the calibration plot (tenths of predicted risk against the share
admitted), the ROC curve, sensitivity and PPV at the top 0.5%, 1% and 5%, the training
window, intended use and limitations, and on a synthetic community the comparison with
the generator's oracle. Plots are PNG files written beside the card (Altair, rendered
with vl-convert); the HTML card embeds them so it can be sent as one file.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import numpy as np
import vl_convert as vlc

from ltc.pipeline.evaluation import Metrics

LIMITATIONS = (
    "Trained on this community's own history: it learns how risk showed itself in these "
    "practices, hospitals and services, and should be retrained (and re-checked) before "
    "use elsewhere or after services change.",
    "Regression to the mean: many people with a bad year recover without intervention, "
    "so a fall in admissions among people case-managed because of high predicted risk "
    "is not by itself evidence that case management worked; compare with a matched or "
    "randomised group.",
    "It predicts emergency admission, not need or benefit: people at high risk may not "
    "be those who gain most from case management, and people with unmet need who do not "
    "use services are invisible to it (add GP knowledge and local rules).",
    "Records only count when they reach the store: a service whose data are missing "
    "makes its users look healthier than they are.",
)
INTENDED_USE = (
    "Case finding for the top of the Kaiser pyramid: ranking the registered population by "
    "the probability of at least one emergency admission in the next 12 months, so that "
    "case managers and GPs review those at highest risk. A decision aid beside clinical "
    "judgement, not a decision: never used to withhold care.")


@dataclass
class CardInput:
    """What the card says about one model and one evaluation."""

    title: str
    model: dict[str, Any]  # the saved model's model.json record
    evaluation: Metrics  # on the later (validation) index date
    evaluation_index_date: str
    evaluation_window: tuple[str, str]
    roc: tuple[list[float], list[float]]  # fpr, tpr
    baseline: Metrics | None = None  # e.g. the logistic regression on the same people
    synthetic: bool = False


def _data(values: list[dict[str, Any]]) -> Any:
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def calibration_chart(metrics: Metrics) -> alt.LayerChart | alt.FacetChart:
    points = [{"predicted": b.predicted, "observed": b.observed, "people": b.people}
              for b in metrics.calibration]
    top = max(max(b.predicted for b in metrics.calibration),
              max(b.observed for b in metrics.calibration)) * 1.05
    data = _data(points)
    diagonal = alt.Chart(_data([{"x": 0, "y": 0}, {"x": top, "y": top}])).mark_line(
        strokeDash=[4, 4], color="grey").encode(x="x:Q", y="y:Q")
    dots = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("predicted:Q", title="mean predicted risk (tenths of risk)",
                scale=alt.Scale(domain=[0, top])),
        y=alt.Y("observed:Q", title="share admitted", scale=alt.Scale(domain=[0, top])),
        tooltip=["predicted:Q", "observed:Q", "people:Q"])
    return alt.layer(diagonal, dots).properties(
        width=360, height=360, title="Calibration: predicted against observed")


def roc_chart(fpr: list[float], tpr: list[float], c_statistic: float
              ) -> alt.LayerChart | alt.FacetChart:
    data = _data([{"fpr": a, "tpr": b} for a, b in zip(fpr, tpr, strict=True)])
    diagonal = alt.Chart(_data([{"x": 0, "y": 0}, {"x": 1, "y": 1}])).mark_line(
        strokeDash=[4, 4], color="grey").encode(x="x:Q", y="y:Q")
    curve = alt.Chart(data).mark_line().encode(
        x=alt.X("fpr:Q", title="false positive rate (1 - specificity)"),
        y=alt.Y("tpr:Q", title="true positive rate (sensitivity)"))
    return alt.layer(diagonal, curve).properties(
        width=360, height=360, title=f"ROC curve (c-statistic {c_statistic:.3f})")


def png(chart: alt.TopLevelMixin) -> bytes:
    data: bytes = vlc.vegalite_to_png(chart.to_dict(), scale=2)
    return data


def _rows(m: Metrics) -> list[tuple[str, str]]:
    rows = [("people", f"{m.people:,}"), ("admitted", f"{m.admitted:,} "
                                                      f"({100 * m.observed_rate:.2f}%)"),
            ("mean predicted risk", f"{100 * m.mean_predicted:.2f}%"),
            ("c-statistic", f"{m.c_statistic:.4f}"), ("Brier score", f"{m.brier:.4f}"),
            ("calibration slope", f"{m.calibration_slope:.3f}"),
            ("calibration intercept", f"{m.calibration_intercept:.3f}")]
    if m.oracle_c_statistic is not None and m.oracle_ratio is not None:
        rows += [("oracle c-statistic (synthetic truth)", f"{m.oracle_c_statistic:.4f}"),
                 ("ratio to the oracle", f"{m.oracle_ratio:.3f}")]
    return rows


TEMPLATE_MD = Path(__file__).with_name("model_card.md.j2")



def _context(card: CardInput, calibration_src: str, roc_src: str) -> dict[str, Any]:
    baseline_rows = dict(_rows(card.baseline)) if card.baseline else {}
    return {
        "title": card.title, "title_short": card.model.get("kind", "model"),
        "intended_use": INTENDED_USE, "model": card.model, "metrics": card.evaluation,
        "rows": _rows(card.evaluation), "baseline": card.baseline,
        "baseline_rows": baseline_rows, "evaluation_index_date": card.evaluation_index_date,
        "window": card.evaluation_window, "synthetic": card.synthetic,
        "limitations": LIMITATIONS, "calibration_png": calibration_src, "roc_png": roc_src,
    }


def markdown(card: CardInput, calibration_src: str = "calibration.png",
             roc_src: str = "roc.png") -> str:
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
    template = env.from_string(TEMPLATE_MD.read_text())
    return template.render(**_context(card, calibration_src, roc_src))


TEMPLATE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left}img{max-width:28rem;margin-right:1rem}</style></head><body>
{{ body }}
</body></html>
"""


def _markdown_to_html(text: str) -> str:
    """The card's own small Markdown (headings, tables, lists, images, paragraphs)."""
    out: list[str] = []
    table: list[list[str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append("<p>" + " ".join(paragraph) + "</p>")
            paragraph.clear()
        if table:
            head, *body = [r for r in table if not set("".join(r)) <= set("-")]
            out.append("<table><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr>"
                       + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>"
                                 for r in body) + "</table>")
            table.clear()

    for line in text.splitlines():
        line = re.sub(r"`([^`]*)`", r"<code>\1</code>", line)
        image = re.fullmatch(r"!\[([^\]]*)\]\(([^)]*)\)", line.strip())
        if line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{line.lstrip('#').strip()}</h{level}>")
        elif line.startswith("|"):
            if paragraph:
                flush()
            table.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif line.startswith("- "):
            flush()
            out.append(f"<ul><li>{line[2:]}</li></ul>")
        elif image:
            flush()
            out.append(f'<img alt="{image.group(1)}" src="{image.group(2)}">')
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return "\n".join(out).replace("</ul>\n<ul>", "\n")


def write(folder: Path, card: CardInput) -> tuple[Path, Path]:
    """Write ``model_card.md``, ``model_card.html``, ``calibration.png``, ``roc.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    calibration = png(calibration_chart(card.evaluation))
    roc = png(roc_chart(card.roc[0], card.roc[1], card.evaluation.c_statistic))
    (folder / "calibration.png").write_bytes(calibration)
    (folder / "roc.png").write_bytes(roc)
    md_path = folder / "model_card.md"
    md_path.write_text(markdown(card))
    inline = markdown(card, "data:image/png;base64," + base64.b64encode(calibration).decode(),
                      "data:image/png;base64," + base64.b64encode(roc).decode())
    html = jinja2.Environment(autoescape=False).from_string(TEMPLATE_HTML).render(
        title=card.title, body=_markdown_to_html(inline))
    html_path = folder / "model_card.html"
    html_path.write_text(html)
    return md_path, html_path


def roc_lists(fpr: np.ndarray[Any, Any], tpr: np.ndarray[Any, Any]
              ) -> tuple[list[float], list[float]]:
    return [float(v) for v in fpr], [float(v) for v in tpr]
