"""Structured opening hours per site and weekday, and closing periods.

site_opening_hours: one row per site and open weekday, a morning and an afternoon range, each
complete and increasing, the morning before the afternoon (CHECK constraints).
site_closure: days the association closes a site, both included.

Data: the free-text `site.opening_hours` becomes the remark field. Texts such as « Du lundi au
vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h 30 » are read into rows (best effort: a day range or a
list of days, then one or two time ranges); a text read entirely is then cleared, any other is
kept as the remark for staff to turn into hours by hand.

Revision ID: d30000000002
Revises: d30000000001
Create Date: 2026-12-02 03:10:00

"""
import re
from datetime import time

from alembic import op
import sqlalchemy as sa


revision = "d30000000002"
down_revision = "d30000000001"
branch_labels = None
depends_on = None

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DAY = "(" + "|".join(DAYS) + ")"
_DAY_RANGE = re.compile(_DAY + r"\s*(?:au|à|-|–)\s*" + _DAY)
_CLOCK = r"(\d{1,2})\s*(?:h|:)\s*(\d{2})?"
_TIME_RANGE = re.compile(_CLOCK + r"\s*(?:-|–|à)\s*" + _CLOCK)


def _clock(hours: str, minutes: str | None) -> time | None:
    hour, minute = int(hours), int(minutes or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_free_text(text: str) -> tuple[list[int], list[tuple[time, time]]] | None:
    """(weekdays, ranges) read from a French free text, or None when it cannot be read."""
    lowered = text.lower()
    if match := _DAY_RANGE.search(lowered):
        first, last = DAYS.index(match[1]), DAYS.index(match[2])
        weekdays = list(range(first, last + 1)) if first <= last else []
    else:
        weekdays = [index for index, name in enumerate(DAYS) if re.search(rf"\b{name}\b", lowered)]
    ranges = []
    for match in _TIME_RANGE.finditer(lowered):
        opens, closes = _clock(match[1], match[2]), _clock(match[3], match[4])
        if opens is None or closes is None or opens >= closes:
            return None
        ranges.append((opens, closes))
    if not weekdays or not 1 <= len(ranges) <= 2:
        return None
    if len(ranges) == 2 and ranges[0][1] > ranges[1][0]:
        return None
    return weekdays, ranges


def upgrade():
    op.create_table(
        "site_opening_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("morning_opens", sa.Time(), nullable=True),
        sa.Column("morning_closes", sa.Time(), nullable=True),
        sa.Column("afternoon_opens", sa.Time(), nullable=True),
        sa.Column("afternoon_closes", sa.Time(), nullable=True),
        sa.CheckConstraint(
            "(afternoon_opens IS NULL AND afternoon_closes IS NULL) OR (afternoon_opens IS NOT NULL AND afternoon_closes IS NOT NULL AND afternoon_opens < afternoon_closes)",
            name=op.f("ck_site_opening_hours_afternoon_range_valid"),
        ),
        sa.CheckConstraint(
            "(morning_opens IS NULL AND morning_closes IS NULL) OR (morning_opens IS NOT NULL AND morning_closes IS NOT NULL AND morning_opens < morning_closes)",
            name=op.f("ck_site_opening_hours_morning_range_valid"),
        ),
        sa.CheckConstraint(
            "morning_closes IS NULL OR afternoon_opens IS NULL OR morning_closes <= afternoon_opens",
            name=op.f("ck_site_opening_hours_ranges_not_overlapping"),
        ),
        sa.CheckConstraint(
            "morning_opens IS NOT NULL OR afternoon_opens IS NOT NULL", name=op.f("ck_site_opening_hours_open_at_some_time")
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_site_opening_hours_weekday_range")),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_site_opening_hours_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_opening_hours")),
        sa.UniqueConstraint("site_id", "weekday", name="uq_site_opening_hours_site_id_weekday"),
    )
    with op.batch_alter_table("site_opening_hours", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_opening_hours_site_id"), ["site_id"], unique=False)
    op.create_table(
        "site_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_site_closure_ends_on_or_after_start")),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_site_closure_reason_not_blank")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_site_closure_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_site_closure_site_id_site"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_closure")),
    )
    with op.batch_alter_table("site_closure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_closure_site_id"), ["site_id"], unique=False)
    _read_free_text_hours()


def _read_free_text_hours():
    connection = op.get_bind()
    hours = sa.table(
        "site_opening_hours",
        sa.column("site_id", sa.Integer()),
        sa.column("weekday", sa.Integer()),
        sa.column("morning_opens", sa.Time()),
        sa.column("morning_closes", sa.Time()),
        sa.column("afternoon_opens", sa.Time()),
        sa.column("afternoon_closes", sa.Time()),
    )
    site = sa.table("site", sa.column("id", sa.Integer()), sa.column("opening_hours", sa.Text()))
    for site_id, text in connection.execute(sa.select(site.c.id, site.c.opening_hours)).all():
        parsed = parse_free_text(text or "")
        if parsed is None:
            continue
        weekdays, ranges = parsed
        morning = ranges[0]
        afternoon = ranges[1] if len(ranges) == 2 else (None, None)
        connection.execute(
            hours.insert(),
            [
                {
                    "site_id": site_id,
                    "weekday": weekday,
                    "morning_opens": morning[0],
                    "morning_closes": morning[1],
                    "afternoon_opens": afternoon[0],
                    "afternoon_closes": afternoon[1],
                }
                for weekday in weekdays
            ],
        )
        connection.execute(site.update().where(site.c.id == site_id).values(opening_hours=None))


def downgrade():
    with op.batch_alter_table("site_closure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_closure_site_id"))
    op.drop_table("site_closure")
    with op.batch_alter_table("site_opening_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_opening_hours_site_id"))
    op.drop_table("site_opening_hours")
