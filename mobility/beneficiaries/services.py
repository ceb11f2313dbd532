"""Beneficiary files: create, change, invite. Every read and change is audited."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.auth.services import AccountError, create_user, send_invitation
from mobility.beneficiaries.models import Beneficiary
from mobility.core.french import sorted_french
from mobility.extensions import db
from mobility.notify.models import ContactChoice
from mobility.notify.phones import is_mobile

# Fields a référent edits directly; the "checked" facts are stamped by the service.
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "contact_channel",
    "commune_insee",
    "referent_id",
    "licence_b_issued_on",
    "licence_b_expires_on",
    "has_am_licence",
    "cer_valid_until",
)


class BeneficiaryError(AccountError):
    pass


def referents_of(organisation_id: int) -> list[User]:
    """The organisation's active référents, in French alphabetical order (a handful: sorted here)."""
    return sorted_french(
        db.session.scalars(
            select(User).where(User.organisation_id == organisation_id, User.role == Role.REFERENT, User.active)
        ),
        key=lambda user: user.full_name,
    )


MAX_SEARCH_WORDS = 5


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character backslash) that finds this text anywhere, any case."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_matches(search: str):
    """Every word of the search is in the first or the last name, any case ("durand prénom").

    ILIKE on the columns themselves: PostgreSQL's trigram index ix_beneficiary_name_trgm
    answers it without reading every file (SQLite compares lower() of both sides).
    """
    words = search.split()[:MAX_SEARCH_WORDS]
    return and_(
        *(
            or_(
                Beneficiary.first_name.ilike(contains_pattern(word), escape="\\"),
                Beneficiary.last_name.ilike(contains_pattern(word), escape="\\"),
            )
            for word in words
        )
    )


def visible_beneficiaries(user: User, search: str = ""):
    """The files a référent may see: those of their own organisation."""
    # The list shows each person's référent: load them in one query, not one per row.
    query = (
        select(Beneficiary)
        .where(Beneficiary.organisation_id == user.organisation_id)
        .options(selectinload(Beneficiary.referent))
    )
    if search:
        query = query.where(name_matches(search))
    # French order (accents ignored): the sort key, by the index that starts with the organisation.
    return query.order_by(Beneficiary.sort_key, Beneficiary.id)


def get_visible_beneficiary(beneficiary_id: int, user: User) -> Beneficiary | None:
    if user.role is not Role.REFERENT:
        return None
    return db.session.scalar(
        select(Beneficiary).where(
            Beneficiary.id == beneficiary_id, Beneficiary.organisation_id == user.organisation_id
        )
    )


def own_file(user: User) -> Beneficiary | None:
    # The person's pages show their référent: read with the file.
    return db.session.scalar(
        select(Beneficiary).where(Beneficiary.user_id == user.id).options(joinedload(Beneficiary.referent))
    )


def record_read(beneficiary: Beneficiary, actor: User) -> None:
    record(AuditAction.READ, "beneficiary", beneficiary.id, actor=actor)


def _apply(beneficiary: Beneficiary, data: dict, actor: User, *, rsa_checked: bool, driving_checked: bool) -> set[str]:
    if data["referent_id"] is not None:
        referent = db.session.get(User, data["referent_id"])
        if (
            referent is None
            or referent.role is not Role.REFERENT
            or referent.organisation_id != actor.organisation_id
        ):
            raise BeneficiaryError(
                _("Choisissez un référent de votre organisation dans la liste."), field="referent_id"
            )
    if not data.pop("has_licence_b", True):
        data["licence_b_issued_on"] = None
        data["licence_b_expires_on"] = None
    changed = set()
    for name in EDITABLE_FIELDS:
        if getattr(beneficiary, name) != data[name]:
            setattr(beneficiary, name, data[name])
            changed.add(name)
    today = date.today()
    if rsa_checked:
        beneficiary.rsa_checked_on = today
        beneficiary.rsa_checked_by_id = actor.id
        changed.add("rsa_checked_on")
    if driving_checked:
        beneficiary.driving_rights_checked_on = today
        beneficiary.driving_rights_checked_by_id = actor.id
        changed.add("driving_rights_checked_on")
    if changed:
        beneficiary.last_contact_on = today
    return changed


def create_beneficiary(data: dict, actor: User, *, rsa_checked: bool = False, driving_checked: bool = False) -> Beneficiary:
    beneficiary = Beneficiary(organisation_id=actor.organisation_id)
    changed = _apply(beneficiary, dict(data), actor, rsa_checked=rsa_checked, driving_checked=driving_checked)
    db.session.add(beneficiary)
    db.session.flush()
    record(AuditAction.CREATE, "beneficiary", beneficiary.id, actor=actor, fields=changed)
    return beneficiary


def update_beneficiary(
    beneficiary: Beneficiary, data: dict, actor: User, *, rsa_checked: bool = False, driving_checked: bool = False
) -> set[str]:
    changed = _apply(beneficiary, dict(data), actor, rsa_checked=rsa_checked, driving_checked=driving_checked)
    if "email" in changed and beneficiary.user is not None and data["email"]:
        # The login follows the contact address the référent keeps up to date.
        other = db.session.scalar(select(User).where(User.email == data["email"].lower()))
        if other is not None and other.id != beneficiary.user_id:
            raise BeneficiaryError(_("Un compte existe déjà avec cette adresse e-mail."), field="email")
        beneficiary.user.email = data["email"].lower()
    if changed:
        db.session.flush()
        record(AuditAction.UPDATE, "beneficiary", beneficiary.id, actor=actor, fields=changed)
    return changed


def choose_own_contact_channel(beneficiary: Beneficiary, choice: ContactChoice, actor: User) -> bool:
    """The person's own choice of channel; refused if it needs a contact the file lacks."""
    contact = beneficiary.contact()
    if choice in (ContactChoice.SMS, ContactChoice.BOTH) and not is_mobile(contact.phone):
        raise BeneficiaryError(
            _("Pour recevoir des SMS, il faut un numéro de portable : demandez à votre référent de l'ajouter."),
            field="contact_channel",
        )
    if choice in (ContactChoice.EMAIL, ContactChoice.BOTH) and not contact.email:
        raise BeneficiaryError(
            _("Pour recevoir des e-mails, il faut une adresse e-mail : demandez à votre référent de l'ajouter."),
            field="contact_channel",
        )
    if beneficiary.contact_channel == choice:
        return False
    beneficiary.contact_channel = choice
    db.session.flush()
    record(AuditAction.UPDATE, "beneficiary", beneficiary.id, actor=actor, fields={"contact_channel"})
    return True


def invite_beneficiary(beneficiary: Beneficiary, actor: User) -> User:
    """Give the person their own access: an account and an e-mailed invitation link."""
    if not beneficiary.email:
        raise BeneficiaryError(
            _("Ajoutez d'abord une adresse e-mail à la fiche pour envoyer une invitation."), field="email"
        )
    user = beneficiary.user
    if user is None:
        user = create_user(
            email=beneficiary.email,
            full_name=beneficiary.display_name,
            role=Role.BENEFICIARY,
            organisation=beneficiary.organisation,
        )
        beneficiary.user = user
        record(AuditAction.UPDATE, "beneficiary", beneficiary.id, actor=actor, fields=["user_id"])
    elif user.has_password:
        raise BeneficiaryError(
            _("La personne a déjà choisi son mot de passe ; elle peut utiliser « Mot de passe oublié »."),
            field=None,
        )
    send_invitation(user, invited_by=actor)
    return user
