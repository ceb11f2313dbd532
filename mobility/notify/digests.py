"""Sections that other floors add to a daily digest, without the digest knowing them.

A contributor is a function (user, today) -> DigestSection or None; the scheduler, which sees
every floor, hands the digest its contributors (mobility/scheduler.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: tuple[str, ...]
    link: str

    @property
    def count(self) -> int:
        return len(self.lines)


DigestContributor = Callable[[Any, date], "DigestSection | None"]
