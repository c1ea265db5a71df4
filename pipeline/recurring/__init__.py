"""Recurring problems: the same problem in the same place coming back over months, and rising topics.

- :class:`RecurringGrouper` — incremental groups built on the duplicate index's neighbours;
- :mod:`pipeline.recurring.trend` — the one rate test behind "rising / steady / falling";
- :mod:`pipeline.recurring.rising` — topics rising against their own history per unit and kecamatan.

Method and measured numbers: ``models/cards/recurring.md``.
"""

from pipeline.recurring.groups import Assignment, Group, GroupSummary, Link, RecurringComplaint, RecurringGrouper

__all__ = ["Assignment", "Group", "GroupSummary", "Link", "RecurringComplaint", "RecurringGrouper"]
