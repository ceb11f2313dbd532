"""Everything stored about a person, grouped, for "Mes données" (RGPD art. 15) and its JSON
download (art. 20), and for the référent who hands it to a person without an account.

This floor builds the file, the account, its sessions, the messages sent and the access log;
the booking floor adds bookings, payments, handovers and the waiting queue through the
`PersonalDataSource` port. Every foreign key of the models to a person (beneficiary or
user_account) is either covered by a section or listed in `left_out()` with its reason; a test
reads the metadata to keep it so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.audit.services import record
from mobility.auth.models import User, UserSession
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.ports import DataSection, plugged
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.notify.contacts import Contact
from mobility.notify.models import OutboxMessage

# Foreign keys to a person that no section of this floor exports, and why.
LEFT_OUT_HERE: dict[str, str] = {
    "api_token.user_id": "A beneficiary account is refused API tokens (mobility.api.services): none exists.",
    "api_idempotency_key.user_id": "Written by API tokens only, which a beneficiary account cannot have.",
}


@dataclass(frozen=True)
class PersonalData:
    beneficiary: Beneficiary
    generated_at: datetime
    sections: list[DataSection]

    def as_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "file_id": self.beneficiary.id,
            "sections": {
                section.key: {"title": section.title, "items": [_json_item(item) for item in section.items]}
                for section in self.sections
            },
        }


def _json_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(part) for part in value]
    return value


def _json_item(item) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in item.items()}


def _who(user: User | None) -> str | None:
    """Staff named with their organisation: who opened or changed the file."""
    if user is None:
        return _("le service (traitement automatique)")
    return f"{user.full_name} ({user.organisation.name})"


def _file_section(person: Beneficiary) -> DataSection:
    labels = {
        "first_name": _("Prénom"),
        "last_name": _("Nom"),
        "birth_date": _("Date de naissance"),
        "commune": _("Commune"),
        "phone": _("Téléphone"),
        "email": _("Adresse e-mail"),
        "contact_channel": _("Messages par"),
        "organisation": _("Organisme qui accompagne"),
        "referent": _("Référent"),
        "rsa_checked_on": _("RSA vérifié le"),
        "rsa_checked_by": _("RSA vérifié par"),
        "licence_b_issued_on": _("Permis B délivré le"),
        "licence_b_expires_on": _("Permis B valable jusqu'au"),
        "has_am_licence": _("Permis AM ou BSR"),
        "driving_rights_checked_on": _("Droits à conduire vérifiés le"),
        "driving_rights_checked_by": _("Droits à conduire vérifiés par"),
        "cer_valid_until": _("CER en vigueur jusqu'au"),
        "last_contact_on": _("Dernier contact"),
        "created_at": _("Fiche créée le"),
        "updated_at": _("Dernière modification"),
        "retention_notice_for": _("Anonymisation annoncée pour le"),
    }
    item = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "commune": person.commune.label if person.commune else None,
        "phone": person.phone,
        "email": person.email,
        "contact_channel": person.contact_channel.value if person.contact_channel else None,
        "organisation": person.organisation.name,
        "referent": person.referent.full_name if person.referent else None,
        "rsa_checked_on": person.rsa_checked_on,
        "rsa_checked_by": person.rsa_checked_by.full_name if person.rsa_checked_by else None,
        "licence_b_issued_on": person.licence_b_issued_on,
        "licence_b_expires_on": person.licence_b_expires_on,
        "has_am_licence": person.has_am_licence,
        "driving_rights_checked_on": person.driving_rights_checked_on,
        "driving_rights_checked_by": (
            person.driving_rights_checked_by.full_name if person.driving_rights_checked_by else None
        ),
        "cer_valid_until": person.cer_valid_until,
        "last_contact_on": person.last_contact_on,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
        "retention_notice_for": person.retention_notice_for,
    }
    return DataSection(
        key="file",
        title=_("Votre fiche"),
        labels=labels,
        items=[item],
        empty="",
        covers=(
            "beneficiary.user_id",
            "beneficiary.referent_id",
            "beneficiary.rsa_checked_by_id",
            "beneficiary.driving_rights_checked_by_id",
        ),
    )


def _account_sections(account: User | None) -> list[DataSection]:
    labels = {
        "email": _("Adresse e-mail de connexion"),
        "language": _("Langue"),
        "active": _("Compte actif"),
        "created_at": _("Compte créé le"),
        "last_login_at": _("Dernière connexion"),
        "password_changed_at": _("Mot de passe changé le"),
    }
    items = []
    sessions = []
    if account is not None:
        items.append(
            {
                "email": account.email,
                "language": account.locale,
                "active": account.active,
                "created_at": account.created_at,
                "last_login_at": account.last_login_at,
                "password_changed_at": account.password_changed_at,
            }
        )
        sessions = [
            {
                "created_at": row.created_at,
                "expires_at": row.expires_at,
                "revoked_at": row.revoked_at,
                "remember": row.remember,
            }
            for row in db.session.scalars(
                select(UserSession).where(UserSession.user_id == account.id).order_by(UserSession.created_at)
            )
        ]
    return [
        DataSection(
            key="account",
            title=_("Votre compte"),
            labels=labels,
            items=items,
            empty=_("Pas de compte : la personne n'a pas d'accès au service."),
            note=_("Le mot de passe n'est gardé que sous une forme chiffrée qui ne permet pas de le retrouver."),
        ),
        DataSection(
            key="sessions",
            title=_("Vos connexions"),
            labels={
                "created_at": _("Ouverte le"),
                "expires_at": _("Expire le"),
                "revoked_at": _("Fermée le"),
                "remember": _("« Rester connecté »"),
            },
            items=sessions,
            empty=_("Aucune connexion enregistrée."),
            covers=("user_session.user_id",),
        ),
    ]


def _messages_section(person: Beneficiary, account: User | None) -> DataSection:
    contact = Contact.of(email=person.email, phone=person.phone, language=None, choice=None)
    recipients = {value for value in (person.email, contact.phone, account.email if account else None) if value}
    rows = (
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient.in_(recipients))
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
        if recipients
        else []
    )
    return DataSection(
        key="messages",
        title=_("Messages que le service vous a envoyés"),
        labels={
            "created_at": _("Écrit le"),
            "channel": _("Par"),
            "recipient": _("À"),
            "subject": _("Objet"),
            "body": _("Texte"),
            "status": _("État"),
            "sent_at": _("Envoyé le"),
        },
        items=[
            {
                "created_at": row.created_at,
                "channel": row.channel,
                "recipient": row.recipient,
                "subject": row.subject,
                "body": row.body_text,
                "status": row.status.value,
                "sent_at": row.sent_at,
            }
            for row in rows
        ],
        empty=_("Aucun message."),
    )


def _access_sections(person: Beneficiary, account: User | None) -> list[DataSection]:
    opened = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "beneficiary", AuditEvent.object_id == person.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    labels = {"occurred_at": _("Le"), "who": _("Qui"), "action": _("Quoi"), "fields": _("Informations touchées")}
    sections = [
        DataSection(
            key="file_access_log",
            title=_("Qui a consulté ou modifié votre fiche, et quand"),
            labels=labels,
            items=[
                {
                    "occurred_at": event.occurred_at,
                    "who": _who(event.actor),
                    "action": event.action.label,
                    "fields": event.fields,
                }
                for event in opened
            ],
            empty=_("Personne n'a encore ouvert la fiche."),
            covers=("audit_event.actor_id",),
        )
    ]
    if account is not None:
        own = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == account.id, or_(AuditEvent.object_type != "beneficiary", AuditEvent.object_id != person.id))
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
        sections.append(
            DataSection(
                key="own_actions_log",
                title=_("Ce que votre compte a fait (journal)"),
                labels={**labels, "object": _("Sur")},
                items=[
                    {
                        "occurred_at": event.occurred_at,
                        "action": event.action.label,
                        "object": f"{event.object_type} {event.object_id}",
                        "fields": event.fields,
                    }
                    for event in own
                ],
                empty=_("Rien d'autre."),
            )
        )
    return sections


def personal_data(person: Beneficiary) -> PersonalData:
    account = person.user
    sections = [_file_section(person), *_account_sections(account)]
    for source in plugged().personal_data_sources:
        sections += source.sections(person)
    sections += [_messages_section(person, account), *_access_sections(person, account)]
    return PersonalData(beneficiary=person, generated_at=utcnow(), sections=sections)


def left_out() -> dict[str, str]:
    """Every foreign key to a person deliberately not exported, with the reason."""
    reasons = dict(LEFT_OUT_HERE)
    for source in plugged().personal_data_sources:
        reasons.update(source.left_out())
    return reasons


def record_export(person: Beneficiary, actor: User, fmt: str) -> None:
    """The hand-over of the whole file is an access of its own in the log."""
    record(AuditAction.EXPORT, "beneficiary", person.id, actor=actor, fields=[f"personal_data_{fmt}"])
