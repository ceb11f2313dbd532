"""The site's opening hours (a morning and an afternoon range per weekday) and closing periods."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from mobility.core.forms import BaseForm, FrenchDateField
from mobility.fleet.opening_hours import WEEKDAYS, weekday_name

PARTS = ("morning_opens", "morning_closes", "afternoon_opens", "afternoon_closes")
PART_LABELS = {
    "morning_opens": _l("matin, ouverture"),
    "morning_closes": _l("matin, fermeture"),
    "afternoon_opens": _l("après-midi, ouverture"),
    "afternoon_closes": _l("après-midi, fermeture"),
}


def _parse_clock(text: str | None) -> time | None:
    """« 8:30 », « 08:30 », « 8h30 », « 8 h » → 08:30; None when empty."""
    value = (text or "").strip().lower().replace(" ", "").replace("h", ":")
    if not value:
        return None
    if value.endswith(":"):
        value += "00"
    hours, _, minutes = value.partition(":")
    if not hours.isdigit() or (minutes and not minutes.isdigit()) or len(minutes) not in (0, 2):
        raise ValueError(value)
    return time(int(hours), int(minutes or 0))


class ClockField(StringField):
    """A wall-clock time typed as HH:MM (an <input type="time"> where the browser has one)."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "placeholder": "08:30", "size": 5})
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        try:
            self.clock = _parse_clock(self.data)
        except ValueError:
            self.clock = None
            raise ValueError(_l("Écrivez une heure comme 08:30.")) from None

    def process_data(self, value):
        self.clock = value
        self.data = value.strftime("%H:%M") if isinstance(value, time) else (value or "")


def _name(weekday: int, part: str) -> str:
    return f"day{weekday}_{part}"


class SiteHoursForm(BaseForm):
    """Seven weekdays × two ranges; a day left empty is a closed day."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each field's label names its day, for screen readers and the error summary.
        for weekday in WEEKDAYS:
            for part in PARTS:
                self[_name(weekday, part)].label.text = f"{weekday_name(weekday).capitalize()}, {PART_LABELS[part]}"

    def week(self) -> dict[int, dict[str, time | None]]:
        return {weekday: {part: self[_name(weekday, part)].clock for part in PARTS} for weekday in WEEKDAYS}

    def fill(self, week: dict[int, dict[str, time | None]]) -> None:
        for weekday, parts in week.items():
            for part, value in parts.items():
                self[_name(weekday, part)].process_data(value)

    def field_of(self, weekday: int, part: str):
        return self[_name(weekday, part)]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for weekday in WEEKDAYS:
            for period in ("morning", "afternoon"):
                opens, closes = self[_name(weekday, f"{period}_opens")], self[_name(weekday, f"{period}_closes")]
                if opens.errors or closes.errors:
                    continue
                if (opens.clock is None) != (closes.clock is None):
                    missing = closes if closes.clock is None else opens
                    missing.errors.append(str(_l("Donnez l'heure d'ouverture et l'heure de fermeture, ou aucune des deux.")))
                    valid = False
                elif opens.clock is not None and opens.clock >= closes.clock:
                    closes.errors.append(str(_l("L'heure de fermeture doit être après l'heure d'ouverture.")))
                    valid = False
            morning_closes = self[_name(weekday, "morning_closes")]
            afternoon_opens = self[_name(weekday, "afternoon_opens")]
            if (
                valid
                and morning_closes.clock is not None
                and afternoon_opens.clock is not None
                and morning_closes.clock > afternoon_opens.clock
            ):
                afternoon_opens.errors.append(
                    str(_l("L'après-midi doit commencer après la fermeture du matin (les plages ne se chevauchent pas)."))
                )
                valid = False
        return valid


for _weekday in WEEKDAYS:
    for _part in PARTS:
        setattr(SiteHoursForm, _name(_weekday, _part), ClockField(PART_LABELS[_part]))


class ClosureForm(BaseForm):
    starts_on = FrenchDateField(
        _l("Premier jour de fermeture"), validators=[InputRequired(_l("Saisissez le premier jour."))], format="%Y-%m-%d"
    )
    ends_on = FrenchDateField(
        _l("Dernier jour de fermeture (inclus)"),
        validators=[InputRequired(_l("Saisissez le dernier jour."))],
        format="%Y-%m-%d",
    )
    reason = StringField(
        _l("Motif"),
        validators=[
            DataRequired(_l("Dites pourquoi le site est fermé (par exemple : congés de l'équipe).")),
            Length(max=200, message=_l("Le motif ne doit pas dépasser 200 caractères.")),
        ],
    )

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Le dernier jour doit être le premier jour ou après."))
        if field.data and self.starts_on.data and (field.data - self.starts_on.data).days > 366:
            raise ValidationError(_l("Une fermeture dure au plus un an : fermez plutôt le site (« Site ouvert »)."))
