"""Condition protocols as configuration (DM-1).

One TOML file per condition in ``ltc/protocols/defaults/`` says, following QOF v46 and NICE,
which review items are due for the people on a disease register, how each is recorded (the
project's SNOMED CT code lists, in ``ltc/data/codelists``), how often it is due, the target
a value should meet where there is one, the exception codes (personalised care
adjustments) and the questions of a telephone check. A local folder changes them without
code changes (:func:`load`); ``docs/protocols.md`` describes the file format.

The protocols are data: the recall statuses computed from them live in
:mod:`ltc.pipeline.recall` (DM-2).
"""

from ltc.protocols.loader import ProtocolError, load
from ltc.protocols.model import Item, Protocol, Question, Season, SeasonDates, Target

__all__ = ["Item", "Protocol", "ProtocolError", "Question", "Season", "SeasonDates",
           "Target", "load"]
