"""Re-exports the event every feed produces (:class:`Event`, :class:`FeedError`, ``KINDS``,
``CONDITIONS``); the definitions now live in :mod:`ltc.interop.event`."""

from ltc.interop.event import CONDITIONS, KINDS, Event, FeedError

__all__ = ["CONDITIONS", "KINDS", "Event", "FeedError"]
