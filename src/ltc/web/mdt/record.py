"""The printable record of an MDT meeting (DM-4): a complete HTML document with print CSS
(``mdt/record.html.j2``): the practice, date and attendees, and for each person on the
agenda why they were on it, what was said, the decision and the actions with their owners
and due dates. A meeting still open prints as a draft."""

from __future__ import annotations

from ltc.care.mdt.view import MeetingView
from ltc.web.pages import TEMPLATES


def record_html(shown: MeetingView) -> str:
    """The meeting's record, ready to print."""
    return TEMPLATES.get_template("mdt/record.html.j2").render(v=shown)
