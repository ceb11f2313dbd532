"""French labels (translatable) for the enums of the auth package."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "beneficiary": _l("Bénéficiaire"),
    "referent": _l("Référent de parcours"),
    "fleet": _l("Gestion de flotte (association)"),
    "admin": _l("Administration (Département)"),
}

ORGANISATION_KIND_LABELS = {
    "departement": _l("Département"),
    "association": _l("Association partenaire"),
    "prescriber": _l("Prescripteur"),
}


def role_label(role) -> str:
    return str(ROLE_LABELS[role.value])


def organisation_kind_label(organisation) -> str:
    if organisation.is_mission_locale:
        return str(_l("Mission locale"))
    return str(ORGANISATION_KIND_LABELS[organisation.kind.value])
