"""Validated population scores alongside the risk model (STRAT-4).

Each score is a function ``(con, as_of, ...) -> ibis.Table`` with one row per person who has
any data the score reads: ``nhs_number`` and the score's columns. Scores are Ibis expressions
only, so the same definition runs on DuckDB and Spark.

=================  ========================================================  ================
score              source                                                    module
=================  ========================================================  ================
Charlson           Charlson 1987 / Quan 2005 and 2011 / SHMI v1.35, after    :mod:`.charlson`
                   comorbidipy 0.5.0
HFRS               Gilbert et al., Lancet 2018                               :mod:`.hfrs`
eFI                Clegg et al., Age and Ageing 2016                         :mod:`.efi`
CMS                Payne et al., CMAJ 2020 (general outcome weights)         :mod:`.cms`
Polypharmacy       distinct medicines in 12 months; 5+ and 10+               :mod:`.polypharmacy`
=================  ========================================================  ================

Constants are data files in ``ltc/data/scores`` (provenance in ``SOURCE.md`` there); record
windows and code handling are shared in :mod:`.inputs`.
"""

from ltc.pipeline.scores.charlson import charlson
from ltc.pipeline.scores.cms import cms
from ltc.pipeline.scores.efi import efi
from ltc.pipeline.scores.hfrs import hfrs
from ltc.pipeline.scores.polypharmacy import polypharmacy

__all__ = ["charlson", "cms", "efi", "hfrs", "polypharmacy"]
