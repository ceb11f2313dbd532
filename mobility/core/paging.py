"""Pages of a list without counting it: fetch one row more than the page to know if another follows.

A list that grows with history (bookings, files, the access log) is never counted nor loaded
whole: its query is sorted on an index and read one page at a time (indexed OFFSET, bounded by
boundary.page_number), and `Page.has_next` comes from the extra row. Templates show it with the
`pager` macro of macros/forms.html, which keeps the list's filters in its links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from mobility.extensions import db


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def fetch_page(query: Select, page: int, per_page: int, unique: bool = False) -> Page:
    """One page of an ordered query: per_page rows at most, in one statement (plus its eager loads)."""
    result = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page))
    rows = list(result.unique() if unique else result)
    return Page(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)
