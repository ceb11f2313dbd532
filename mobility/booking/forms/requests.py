"""Booking forms: input shape only. Eligibility, prices and free vehicles are the services' job."""

from __future__ import annotations

from datetime import date, time

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from mobility.booking.eligibility import Purpose
from mobility.booking.models import OutcomeCheckpoint, OutcomeResult
from mobility.booking.services import RequestDetails
from mobility.fleet.models import VehicleCategory
from mobility.core.forms import BaseForm, EnumRadioField, FrenchDateField, empty_to_none, optional_int

# Pickup and return times offered: every half hour through the working day.
FIRST_TIME = time(7, 0)
LAST_TIME = time(20, 0)
PURPOSE_DETAIL_MAX = 200  # the booking column's length
REASON_MAX = 1000

REASON_TOO_LONG = _l("La raison ne doit pas dépasser 1 000 caractères.")


def time_choices(*always: time, open_slots: list[time] | None = None) -> list[SelectChoice]:
    """The half hours when some site is open (fleet.opening_hours.offered_slots), plus the
    configured defaults; half hours from 7:00 to 20:00 while no site has opening hours yet.
    The day's own hours are checked when the form is sent (services.check_times)."""
    times = set(always)
    if open_slots:
        times.update(open_slots)
    else:
        minutes = FIRST_TIME.hour * 60
        while minutes <= LAST_TIME.hour * 60:
            times.add(time(minutes // 60, minutes % 60))
            minutes += 30
    return [SelectChoice(t.strftime("%H:%M"), f"{t.hour} h {t.minute:02d}") for t in sorted(times)]


def _as_time(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


class TimeSelectField(SelectField):
    """A time picked from a list (HH:MM); data is the string, `.time` the parsed value."""

    def __init__(self, label, message, **kwargs):
        self.message = message
        super().__init__(label, choices=[], validate_choice=False, **kwargs)

    @property
    def time(self) -> time | None:
        return _as_time(self.data)

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)


class RequestForm(BaseForm):
    """A rental request: the same fields for a beneficiary and for a référent on their behalf."""

    category = EnumRadioField(
        _l("Type de véhicule"),
        VehicleCategory,
        _l("Choisissez le type de véhicule : voiture ou voiture sans permis."),
        description=_l(
            "Une voiture demande le permis B. Une voiture sans permis se conduit dès 14 ans avec le "
            "permis AM (ou BSR), ou sans aucun permis pour les personnes nées avant 1988."
        ),
    )
    basin_id = SelectField(
        _l("Bassin d'emploi où prendre le véhicule"),
        coerce=optional_int,
        validate_choice=False,
        description=_l(
            "Par défaut, celui de votre commune. Le véhicule est pris et rendu sur un site de ce bassin."
        ),
    )
    starts_on = FrenchDateField(
        _l("Premier jour de la location"),
        validators=[InputRequired(_l("Saisissez le premier jour de la location."))],
        format="%Y-%m-%d",
        description=_l("Le jour où vous prenez le véhicule."),
    )
    ends_on = FrenchDateField(
        _l("Dernier jour de la location"),
        validators=[InputRequired(_l("Saisissez le dernier jour de la location."))],
        format="%Y-%m-%d",
        description=_l("Le jour où vous rendez le véhicule (le même jour que le premier, si besoin)."),
    )
    pickup_time = TimeSelectField(
        _l("Heure de prise du véhicule"),
        _l("Choisissez l'heure de prise du véhicule dans la liste."),
    )
    return_time = TimeSelectField(
        _l("Heure de retour du véhicule"),
        _l("Choisissez l'heure de retour du véhicule dans la liste."),
    )
    purpose = EnumRadioField(
        _l("Pour quoi avez-vous besoin du véhicule ?"),
        Purpose,
        _l("Choisissez le motif de la location."),
    )
    purpose_detail = StringField(
        _l("Employeur, formation ou démarche"),
        filters=[empty_to_none],
        validators=[
            Length(
                max=PURPOSE_DETAIL_MAX,
                message=_l("Ce champ ne doit pas dépasser %(max)d caractères.", max=PURPOSE_DETAIL_MAX),
            )
        ],
        description=_l(
            "Facultatif, sauf pour « Autre démarche vers l'emploi » : dites alors en quelques mots en quoi "
            "la location vous aide vers l'emploi."
        ),
        render_kw={"autocomplete": "organization"},
    )

    def set_choices(
        self, categories, basins, today: date, default_times: tuple[time, time], open_slots: list[time] | None = None
    ) -> None:
        self.today = today
        self.category.set_members(categories)
        self.basin_id.choices = [SelectChoice(str(basin.id), basin.name) for basin in basins]
        self._basin_ids = {basin.id for basin in basins}
        self.pickup_time.choices = time_choices(*default_times, open_slots=open_slots)
        self.return_time.choices = time_choices(*default_times, open_slots=open_slots)

    def speak_of_the_person(self) -> None:
        """A référent fills the form for someone else: its questions speak of "la personne"."""
        self.basin_id.description = _l(
            "Par défaut, celui de la commune de la personne. "
            "Le véhicule est pris et rendu sur un site de ce bassin."
        )
        self.starts_on.description = _l("Le jour où la personne prend le véhicule.")
        self.ends_on.description = _l(
            "Le jour où la personne rend le véhicule (le même jour que le premier, si besoin)."
        )
        self.purpose.label.text = _l("Pour quoi la personne a-t-elle besoin du véhicule ?")
        self.purpose_detail.description = _l(
            "Facultatif, sauf pour « Autre démarche vers l'emploi » : dites alors en quelques mots en quoi "
            "la location aide la personne vers l'emploi."
        )

    def validate_basin_id(self, field):
        if field.data not in self._basin_ids:
            raise ValidationError(_l("Choisissez un bassin d'emploi dans la liste."))

    def validate_starts_on(self, field):
        if field.data and field.data < self.today:
            raise ValidationError(
                _l("Cette date est déjà passée : choisissez aujourd'hui ou un jour à venir.")
            )

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(
                _l("Le dernier jour doit être le même jour que le premier, ou après.")
            )

    def details(self) -> RequestDetails:
        return RequestDetails(
            category=self.category.data,
            basin_id=self.basin_id.data,
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            purpose=self.purpose.data,
            purpose_detail=self.purpose_detail.data,
            pickup_time=self.pickup_time.time,
            return_time=self.return_time.time,
        )

    def values(self) -> dict[str, str]:
        """The validated request as form values, to post it again (send, other dates, the queue)."""
        return {
            "category": self.category.data.value,
            "basin_id": str(self.basin_id.data),
            "starts_on": self.starts_on.data.isoformat(),
            "ends_on": self.ends_on.data.isoformat(),
            "pickup_time": self.pickup_time.data,
            "return_time": self.return_time.data,
            "purpose": self.purpose.data.value,
            "purpose_detail": self.purpose_detail.data or "",
        }


class BeneficiaryChoiceForm(BaseForm):
    """A référent picks the person they ask for (a GET that changes nothing)."""

    class Meta:
        csrf = False

    beneficiaire = SelectField(
        _l("Personne accompagnée"),
        coerce=optional_int,
        validate_choice=False,
        description=_l("Les personnes suivies par votre organisation."),
    )

    def set_choices(self, beneficiaries) -> None:
        self.beneficiaire.choices = [SelectChoice("", _l("— Choisir une personne —"))] + [
            SelectChoice(str(person.id), person.display_name) for person in beneficiaries
        ]


def _reason_field(label, description=None):
    return TextAreaField(
        label,
        filters=[empty_to_none],
        validators=[Length(max=REASON_MAX, message=REASON_TOO_LONG)],
        description=description,
        render_kw={"rows": 3},
    )


class CancelForm(BaseForm):
    reason = _reason_field(
        _l("Raison de l'annulation"),
        _l("Obligatoire pour les professionnels : la personne et l'association la liront."),
    )


class RejectForm(BaseForm):
    reason = _reason_field(_l("Raison du refus"), _l("Obligatoire : la personne la lira."))


class ExtensionRequestForm(BaseForm):
    new_ends_on = FrenchDateField(
        _l("Nouveau dernier jour"),
        validators=[InputRequired(_l("Saisissez le nouveau dernier jour de la location."))],
        format="%Y-%m-%d",
        description=_l("Le référent décide ; l'heure de retour reste la même."),
    )


class ExtensionDecisionForm(BaseForm):
    decision = RadioField(
        _l("Décision"),
        choices=[
            SelectChoice("approve", _l("Accepter la prolongation")),
            SelectChoice("refuse", _l("Refuser la prolongation")),
        ],
        validate_choice=False,
    )
    reason = _reason_field(_l("Raison (obligatoire en cas de refus)"), _l("La personne la lira."))

    def validate_decision(self, field):
        if field.data not in ("approve", "refuse"):
            raise ValidationError(_l("Choisissez d'accepter ou de refuser la prolongation."))


class OutcomeForm(BaseForm):
    checkpoint = SelectField(_l("Moment du suivi"), validate_choice=False)
    result = EnumRadioField(
        _l("Situation de la personne"), OutcomeResult, _l("Choisissez la situation de la personne.")
    )

    def set_checkpoints(self, checkpoints: list[OutcomeCheckpoint]) -> None:
        self.checkpoint.choices = [SelectChoice(c.value, c.label) for c in checkpoints]

    def validate_checkpoint(self, field):
        if field.data not in {choice.value for choice in self.checkpoint.choices}:
            raise ValidationError(_l("Choisissez un moment du suivi dans la liste."))

    @property
    def checkpoint_member(self) -> OutcomeCheckpoint:
        return OutcomeCheckpoint(self.checkpoint.data)
