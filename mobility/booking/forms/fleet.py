"""Forms of the fleet staff's booking pages: confirm, hand over, take back, no-show, cancel, pay.

They check the shape of the input only. What the booking allows (odometer never below the
last reading, the contract signed, a reason to cancel, a vehicle free on the period) is the
services' to say, and the views put their refusal next to its field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from mobility.booking.models import FUEL_LEVELS, KIND_ACCOUNTS, PaymentKind, PaymentMethod
from mobility.core.forms import (
    BaseForm,
    ChoiceOfIds,
    EnumSelectField,
    FrenchDateField,
    FrenchIntegerField,
    NotInFuture,
    empty_to_none,
    optional_int,
    parse_euros,
    strip_filter,
)

# What a fuel gauge (or a charge indicator) shows, in eighths.
FUEL_LABELS = {
    0: _l("vide"),
    1: _l("1/8"),
    2: _l("1/4 (2/8)"),
    3: _l("3/8"),
    4: _l("1/2 (4/8)"),
    5: _l("5/8"),
    6: _l("3/4 (6/8)"),
    7: _l("7/8"),
    FUEL_LEVELS: _l("plein"),
}


class ConfirmForm(BaseForm):
    vehicle_id = SelectField(
        _l("Véhicule remis"),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Choisissez le véhicule à remettre."))],
        description=_l(
            "Le véhicule choisi à la demande est proposé. Vous pouvez le remplacer par un autre véhicule "
            "de la même catégorie, libre sur toute la période."
        ),
    )

    site_change_confirmed = BooleanField(
        _l("La personne est prévenue du changement de site"),
        description=_l(
            "Seulement si le véhicule choisi est à un autre site : la personne reçoit aussi un message avec "
            "l'adresse et les horaires du nouveau site."
        ),
    )

    def set_choices(self, current, candidates, distance_of=None) -> None:
        """Each other vehicle says its site, and how far it is from the person's commune when it
        is another site (`distance_of(vehicle)`: km or None)."""

        def label(vehicle) -> str:
            if vehicle.site_id == current.site_id:
                return f"{vehicle.label} — {vehicle.site.name}"
            km = distance_of(vehicle) if distance_of is not None else None
            if km is None:
                return str(_l("%(vehicle)s — autre site : %(site)s", vehicle=vehicle.label, site=vehicle.site.label))
            return str(
                _l(
                    "%(vehicle)s — autre site : %(site)s, à %(km)s km de la commune de la personne",
                    vehicle=vehicle.label,
                    site=vehicle.site.label,
                    km=km,
                )
            )

        self.vehicle_id.choices = [
            SelectChoice(str(current.id), _l("%(vehicle)s (choisi à la demande)", vehicle=current.label))
        ] + [SelectChoice(str(vehicle.id), label(vehicle)) for vehicle in candidates]


class HandoverForm(BaseForm):
    """What both parties look at when the vehicle leaves or comes back."""

    odometer_confirmed = BooleanField(_l("Ce kilométrage est juste : je le confirme"))
    # Set by the page when the fleet has asked whether an implausible reading is right.
    implausible_asked = False

    odometer_km = FrenchIntegerField(
        _l("Kilométrage au compteur"),
        validators=[
            InputRequired(_l("Saisissez le kilométrage affiché au compteur.")),
            NumberRange(min=0, max=1_999_999, message=_l("Le kilométrage va de 0 à 1 999 999.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    fuel_eighths = SelectField(
        _l("Niveau de carburant ou de charge"),
        coerce=optional_int,
        validate_choice=False,
        choices=[SelectChoice("", _l("— Choisir —"))]
        + [SelectChoice(str(level), label) for level, label in FUEL_LABELS.items()],
        validators=[ChoiceOfIds(_l("Indiquez le niveau lu sur la jauge, de vide à plein."))],
        description=_l("Comme sur la jauge : en huitièmes du réservoir ou de la batterie."),
    )
    bodywork_ok = BooleanField(_l("Carrosserie"))
    tyres_ok = BooleanField(_l("Pneus"))
    lights_ok = BooleanField(_l("Feux et clignotants"))
    interior_ok = BooleanField(_l("Intérieur propre et en bon état"))
    papers_in_vehicle = BooleanField(_l("Papiers du véhicule à bord (carte grise, attestation d'assurance)"))
    damage_notes = TextAreaField(
        _l("Dégâts constatés (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=2000, message=_l("Le texte ne doit pas dépasser 2 000 caractères."))],
        description=_l("Où et quoi, par exemple : rayure sur la portière arrière gauche."),
    )

    # Taken with the phone's rear camera from the page; re-encoded without their metadata.
    photos = MultipleFileField(
        _l("Photos du véhicule (facultatif)"),
        description=_l("Jusqu'à 8 photos, 5 Mo chacune au plus : les quatre côtés, et chaque dégât de près."),
        render_kw={"accept": "image/*", "capture": "environment"},
    )

    CHECKLIST = ("bodywork_ok", "tyres_ok", "lights_ok", "interior_ok", "papers_in_vehicle")


class _OptionalEnumSelectField(EnumSelectField):
    """An enum select that may stay on its placeholder (the service says when it is needed)."""

    def pre_validate(self, form):
        if self.data is not None:
            super().pre_validate(form)


class CheckOutForm(HandoverForm):
    deposit_received = BooleanField(
        _l("Caution reçue"),
        description=_l("Son versement est inscrit dans les paiements de la location, avec le moyen et le reçu ci-dessous."),
    )
    deposit_method = _OptionalEnumSelectField(
        _l("Moyen de versement de la caution"),
        PaymentMethod,
        _l("Choisissez le moyen de versement de la caution."),
        placeholder=_l("— Choisir —"),
    )
    deposit_receipt_number = StringField(
        _l("Numéro du reçu de la caution"),
        filters=[strip_filter],
        validators=[Length(max=40, message=_l("Le numéro ne doit pas dépasser 40 caractères."))],
        description=_l("Si la caution est reçue maintenant : celui du carnet de reçus de l'association."),
        render_kw={"autocomplete": "off"},
    )
    contract_signed = BooleanField(
        _l("Contrat imprimé et signé par les deux parties"),
        description=_l("Obligatoire : le véhicule n'est remis qu'une fois le contrat signé."),
    )


class ReturnForm(HandoverForm):
    new_damage = BooleanField(
        _l("Dégât nouveau depuis le départ : ouvrir un sinistre"),
        description=_l("Le sinistre reprend les dégâts constatés et les photos ; l'association le suit ensuite."),
    )
    incident_report = TextAreaField(
        _l("Incident pendant la location (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=4000, message=_l("Le texte ne doit pas dépasser 4 000 caractères."))],
        description=_l("Accident, panne, amende, retard… ce qui s'est passé, sans jugement sur la personne."),
    )

    def validate_new_damage(self, field):
        if field.data and not self.damage_notes.data:
            self.damage_notes.errors.append(_l("Décrivez le dégât nouveau : où et quoi."))
            raise ValidationError(_l("Décrivez le dégât dans « Dégâts constatés » pour ouvrir le sinistre."))


class NoShowForm(BaseForm):
    reason = TextAreaField(
        _l("Précisions (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=1000, message=_l("Le texte ne doit pas dépasser 1 000 caractères."))],
        description=_l(
            "Par exemple : appelée deux fois sans réponse. Le référent de la personne sera prévenu."
        ),
    )


class CancelForm(BaseForm):
    # Required by the state machine (staff must say why); the service says so if it is empty.
    reason = TextAreaField(
        _l("Raison de l'annulation"),
        filters=[strip_filter],
        validators=[Length(max=1000, message=_l("Le texte ne doit pas dépasser 1 000 caractères."))],
        description=_l("La personne et son référent la liront : écrivez-la simplement."),
    )


class PaymentForm(BaseForm):
    kind = EnumSelectField(
        _l("Nature du paiement"),
        PaymentKind,
        _l("Choisissez la nature du paiement."),
        placeholder=_l("— Choisir —"),
        members=list(KIND_ACCOUNTS),
    )
    amount = StringField(
        _l("Montant en euros"),
        filters=[strip_filter],
        validators=[InputRequired(_l("Saisissez le montant."))],
        description=_l("Par exemple : 20 ou 12,50"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    method = EnumSelectField(
        _l("Moyen de paiement"),
        PaymentMethod,
        _l("Choisissez le moyen de paiement."),
        placeholder=_l("— Choisir —"),
    )
    paid_on = FrenchDateField(
        _l("Date du paiement"),
        validators=[
            InputRequired(_l("Saisissez la date du paiement.")),
            NotInFuture(_l("La date du paiement ne peut pas être dans le futur.")),
        ],
        format="%Y-%m-%d",
    )
    receipt_number = StringField(
        _l("Numéro du reçu"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Saisissez le numéro du reçu remis à la personne.")),
            Length(max=40, message=_l("Le numéro ne doit pas dépasser 40 caractères.")),
        ],
        description=_l("Celui du carnet de reçus de l'association."),
        render_kw={"autocomplete": "off"},
    )

    amount_cents: int | None = None

    def validate_amount(self, field):
        if not field.data:
            return
        try:
            self.amount_cents = parse_euros(field.data)
        except ValueError as exc:
            raise ValidationError(_l("Saisissez un montant en euros, par exemple 12,50.")) from exc


class ReversalForm(BaseForm):
    """A mistaken entry cancelled by the opposite entry, with the reason why."""

    entry_id = SelectField(
        _l("Écriture à annuler"),
        coerce=optional_int,
        validate_choice=False,
        validators=[ChoiceOfIds(_l("Choisissez l'écriture à annuler."))],
    )
    reason = TextAreaField(
        _l("Raison de l'annulation de l'écriture"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Dites pourquoi cette écriture est annulée : la raison reste dans le journal.")),
            Length(max=1000, message=_l("Le texte ne doit pas dépasser 1 000 caractères.")),
        ],
        description=_l("Par exemple : montant mal saisi, 200 € au lieu de 20 €. L'écriture reste visible, annulée."),
    )
