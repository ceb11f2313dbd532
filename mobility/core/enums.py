"""One base for the enums people read: each member has a translated label."""

from __future__ import annotations

import enum


class LabelledEnum(enum.Enum):
    """An enum whose members carry a label, given once per class as `_labels()`.

    Subclasses define `_labels()` returning {member: lazy string}; the labels are resolved
    when read, in the language of the request.
    """

    @classmethod
    def _labels(cls) -> dict:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    @property
    def label(self) -> str:
        return str(type(self)._labels()[self])

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a select or radio field, in declaration order."""
        return [(member.value, member.label) for member in cls]
