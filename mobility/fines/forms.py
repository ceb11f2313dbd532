"""Fine forms: input shape only; the service checks the moment against the vehicle and the clock."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from mobility.core.forms import (
    BaseForm,
    ChoiceOfIds,
    EnumSelectField,
    EurosField,
    FrenchDateField,
    FrenchTimeField,
    optional_int,
    strip_filter,
)
from mobility.fines.models import OffenceKind
from mobility.fines.rules import NOTICE_NUMBER_MESSAGE, normalise_notice_number
from mobility.fines.services import FineData


class NoticeNumber:
    def __call__(self, form, field):
        if field.data and normalise_notice_number(field.data) is None:
            raise ValidationError(NOTICE_NUMBER_MESSAGE)


def _kind_label(kind: OffenceKind) -> str:
    suffix = _l("à désigner") if kind.requires_designation else _l("sans désignation")
    return f"{kind.label} ({suffix})"


class FineForm(BaseForm):
    vehicle_id = SelectField(
        _l("Véhicule"), coerce=optional_int, validate_choice=False,
        validators=[ChoiceOfIds(_l("Choisissez le véhicule de l'avis dans la liste."))],
    )
    notice_number = StringField(
        _l("Numéro de l'avis de contravention"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Saisissez le numéro de l'avis.")), Length(max=20, message=NOTICE_NUMBER_MESSAGE), NoticeNumber()],
        description=_l("10 chiffres, en haut à droite de l'avis."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    offence_on = FrenchDateField(
        _l("Date de l'infraction"), validators=[DataRequired(_l("Saisissez la date de l'infraction."))]
    )
    offence_time = FrenchTimeField(
        _l("Heure de l'infraction"),
        validators=[DataRequired(_l("Saisissez l'heure de l'infraction, par exemple 14:30."))],
        description=_l("Heure de Paris, telle qu'écrite sur l'avis."),
    )
    place = StringField(
        _l("Lieu de l'infraction"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez le lieu de l'infraction, tel qu'il est écrit sur l'avis.")),
            Length(max=200, message=_l("%(max)s caractères au plus.", max=200)),
        ],
        description=_l("Commune, voie et sens de circulation, par exemple « Orléans, A10, sens Paris-Province »."),
    )
    kind = EnumSelectField(
        _l("Nature de l'infraction"), OffenceKind, _l("Choisissez la nature de l'infraction dans la liste."),
        placeholder=_l("— Choisir —"),
    )
    amount = EurosField(_l("Montant de l'amende forfaitaire (€)"), _l("Saisissez le montant, par exemple 135."))
    notice_sent_on = FrenchDateField(
        _l("Date d'envoi de l'avis"),
        validators=[DataRequired(_l("Saisissez la date d'envoi de l'avis."))],
        description=_l("La date d'émission, en haut à droite de l'avis : le délai de désignation de 45 jours part d'elle."),
    )

    def set_choices(self, vehicles) -> None:
        self.vehicle_id.choices = [SelectChoice("", _l("— Choisir un véhicule —"))] + [
            SelectChoice(str(vehicle.id), f"{vehicle.plate} — {vehicle.make} {vehicle.model}") for vehicle in vehicles
        ]
        self.kind.choices = [SelectChoice("", _l("— Choisir —"))] + [
            SelectChoice(kind.value, _kind_label(kind)) for kind in OffenceKind
        ]

    def data_for_service(self) -> FineData:
        return FineData(
            vehicle_id=self.vehicle_id.data,
            notice_number=self.notice_number.data,
            offence_on=self.offence_on.data,
            offence_time=self.offence_time.data,
            place=self.place.data,
            kind=self.kind.data,
            amount_cents=self.amount.cents,
            notice_sent_on=self.notice_sent_on.data,
        )


class IdentifyForm(BaseForm):
    booking_id = SelectField(
        _l("Location"), coerce=optional_int, validate_choice=False,
        validators=[ChoiceOfIds(_l("Choisissez la location dans la liste."))],
    )

    def set_choices(self, bookings) -> None:
        self.booking_id.choices = [
            SelectChoice(str(b.id), f"{b.reference} — {b.beneficiary.display_name}") for b in bookings
        ]


class DesignateForm(BaseForm):
    reference = StringField(
        _l("Référence de confirmation de l'ANTAI"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez la référence de confirmation de la désignation.")),
            Length(max=60, message=_l("%(max)s caractères au plus.", max=60)),
        ],
    )
    designated_on = FrenchDateField(
        _l("Date de la désignation"), validators=[DataRequired(_l("Saisissez la date de la désignation."))]
    )


class MoveForm(BaseForm):
    reason = TextAreaField(
        _l("Raison"),
        filters=[strip_filter],
        validators=[Optional(), Length(max=1000, message=_l("%(max)s caractères au plus.", max=1000))],
    )
