"""Cessions across objects: conventions and their limits, cessions and their one transition
table, paperwork, documents, what each person may see, and late paperwork.

Services take plain values and the acting user, flush and never commit; refusals are the
DomainError family with a French message and the form field concerned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Organisation, OrganisationKind, Role, User
from mobility.cession import rules
from mobility.cession.models import (
    Cession,
    CessionAction,
    CessionDocument,
    CessionState,
    CessionTransition,
    Convention,
    ConventionKind,
    PaperworkItem,
    PaperworkKind,
)
from mobility.core.errors import Conflict, Invalid, Refused
from mobility.core.settings import settings_of
from mobility.core.statemachine import IllegalMove, Move, StateMachine, roles
from mobility.core.time import today as today_in_france
from mobility.extensions import db
from mobility.fleet import services as fleet_services
from mobility.fleet.models import Gearbox, Vehicle, VehicleOrigin, VehicleStatus

S, A = CessionState, CessionAction
ADMIN, FLEET = Role.ADMIN, Role.FLEET
ENDED_STATES = (S.DECLINED, S.SCRAPPED, S.RESOLD)

TRANSITIONS = {
    (None, A.PROPOSE): Move(S.PROPOSED, roles(ADMIN)),
    (S.PROPOSED, A.ACCEPT): Move(S.ACCEPTED, roles(FLEET)),
    (S.PROPOSED, A.DECLINE): Move(S.DECLINED, roles(FLEET), reason_by=roles(FLEET)),
    (S.ACCEPTED, A.TRANSFER): Move(S.TRANSFERRED, roles(ADMIN)),
    (S.TRANSFERRED, A.REGISTER): Move(S.REGISTERED, roles(FLEET, ADMIN)),
    (S.REGISTERED, A.PUT_IN_SERVICE): Move(S.IN_SERVICE, roles(FLEET)),
    (S.REGISTERED, A.SCRAP): Move(S.SCRAPPED, roles(FLEET, ADMIN), reason_by=roles(FLEET, ADMIN)),
    (S.REGISTERED, A.RESELL): Move(S.RESOLD, roles(FLEET, ADMIN), reason_by=roles(FLEET, ADMIN)),
    (S.IN_SERVICE, A.SCRAP): Move(S.SCRAPPED, roles(FLEET, ADMIN), reason_by=roles(FLEET, ADMIN)),
    (S.IN_SERVICE, A.RESELL): Move(S.RESOLD, roles(FLEET, ADMIN), reason_by=roles(FLEET, ADMIN)),
}


def _log(cession, action, source, target, actor, reason):
    return CessionTransition(
        cession=cession, action=action, from_state=source, to_state=target,
        actor_id=actor.id if actor is not None else None, reason=reason,
    )


def _illegal(cession, action) -> str:
    if cession is None:
        return str(_l("Seul le Département peut proposer une cession."))
    return str(
        _l(
            "« %(action)s » n'est pas possible pour une cession %(state)s.",
            action=action.label, state=cession.state.label,
        )
    )


MACHINE = StateMachine(TRANSITIONS, _log, _illegal, status_attribute="state")


def settings() -> rules.CessionSettings:
    return settings_of(rules.CessionSettings)


# --- What each person may see -------------------------------------------------------------------


def visible_conventions(user: User):
    query = select(Convention).order_by(Convention.starts_on.desc(), Convention.reference)
    if user.role is ADMIN:
        return query
    if user.role is FLEET:
        return query.where(Convention.association_id == user.organisation_id)
    return query.where(False)


def visible_cessions(user: User, paperwork_loader=selectinload):
    """The cessions this person may see, with their paperwork (a home panel joins it instead:
    one statement for a few open cessions)."""
    query = select(Cession).options(paperwork_loader(Cession.paperwork)).order_by(Cession.ceded_on.desc(), Cession.id)
    if user.role is ADMIN:
        return query
    if user.role is FLEET:
        return query.where(Cession.association_id == user.organisation_id)
    return query.where(False)


def get_visible_cession(cession_id: int, user: User) -> Cession | None:
    return db.session.scalar(visible_cessions(user).where(Cession.id == cession_id))


def get_visible_convention(convention_id: int, user: User) -> Convention | None:
    return db.session.scalar(visible_conventions(user).where(Convention.id == convention_id))


def associations() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION).order_by(Organisation.name)
        )
    )


def open_conventions(day: date | None = None) -> list[Convention]:
    """Conventions still running on that day (today by default), for the cession form."""
    day = day or today_in_france()
    return list(db.session.scalars(select(Convention).where(Convention.ends_on >= day).order_by(Convention.reference)))


# --- Conventions --------------------------------------------------------------------------------


def _check_convention(data: dict, convention_id: int | None = None) -> Organisation:
    association = db.session.get(Organisation, data["association_id"]) if data["association_id"] else None
    if association is None or association.kind is not OrganisationKind.ASSOCIATION:
        raise Invalid(_("Choisissez l'association signataire dans la liste."), "association_id")
    taken = db.session.scalar(
        select(Convention.id).where(Convention.reference == data["reference"], Convention.id != (convention_id or 0))
    )
    if taken is not None:
        raise Conflict(_("Une convention porte déjà cette référence."), "reference")
    if data["ends_on"] < data["starts_on"]:
        raise Invalid(_("La fin de la convention doit venir après son début."), "ends_on")
    if data["kind"] is ConventionKind.PRICED and not data.get("price_decision_reference"):
        raise Invalid(
            _("Indiquez la référence de la décision du Département qui fixe le prix."), "price_decision_reference"
        )
    return association


CONVENTION_FIELDS = (
    "reference", "association_id", "signed_on", "starts_on", "ends_on", "max_vehicles", "kind",
    "price_decision_reference", "obligations",
)


def create_convention(data: dict, actor: User, document: CessionDocument | None = None) -> Convention:
    _check_convention(data)
    if data["kind"] is ConventionKind.FREE:
        data = {**data, "price_decision_reference": None}
    convention = Convention(**{name: data[name] for name in CONVENTION_FIELDS}, created_by_id=actor.id)
    convention.signed_document = document
    db.session.add(convention)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Une convention porte déjà cette référence."), "reference") from exc
    record(AuditAction.CREATE, "convention", convention.id, actor=actor, fields=CONVENTION_FIELDS)
    return convention


@dataclass(frozen=True)
class ConventionCounts:
    ceded: int
    in_service: int
    left: int


def convention_counts(convention: Convention) -> ConventionCounts:
    rows = dict(
        db.session.execute(
            select(Cession.state, func.count()).where(Cession.convention_id == convention.id).group_by(Cession.state)
        ).all()
    )
    ceded = sum(count for state, count in rows.items() if state is not S.DECLINED)
    return ConventionCounts(ceded, rows.get(S.IN_SERVICE, 0), max(convention.max_vehicles - ceded, 0))


# --- Cessions -----------------------------------------------------------------------------------

CESSION_FIELDS = (
    "decision_reference", "decided_on", "plate", "vin", "make", "model", "first_registered_on",
    "category", "energy", "odometer_km", "value_cents", "ceded_on", "ceded_at_time",
)


def _check_period_and_value(convention: Convention, data: dict) -> None:
    if not convention.covers(data["ceded_on"]):
        raise Refused(
            _(
                "La convention %(reference)s court du %(start)s au %(end)s : la date de cession doit être dans cette période.",
                reference=convention.reference, start=convention.starts_on.strftime("%d/%m/%Y"),
                end=convention.ends_on.strftime("%d/%m/%Y"),
            ),
            "ceded_on",
        )
    ceiling = settings().free_value_ceiling_cents
    if convention.is_free and data["value_cents"] > ceiling:
        raise Refused(
            _(
                "Une cession gratuite est possible jusqu'à %(ceiling)s € de valeur : cédez ce véhicule sous une "
                "convention à titre onéreux.",
                ceiling=ceiling // 100,
            ),
            "value_cents",
        )


def check_convention_limits(convention: Convention, data: dict, today: date) -> None:
    """The convention's limits, each refusal saying why (the count is taken under a lock)."""
    _check_period_and_value(convention, data)
    if convention.ends_on < today:
        raise Refused(
            _("La convention %(reference)s a pris fin le %(end)s : aucune cession nouvelle.",
              reference=convention.reference, end=convention.ends_on.strftime("%d/%m/%Y")),
            "convention_id",
        )
    ceded = db.session.scalar(
        select(func.count()).select_from(Cession).where(
            Cession.convention_id == convention.id, Cession.state != S.DECLINED
        )
    )
    if ceded >= convention.max_vehicles:
        raise Refused(
            _(
                "La convention %(reference)s prévoit %(max)s véhicule(s) au plus, déjà tous cédés ou proposés.",
                reference=convention.reference, max=convention.max_vehicles,
            ),
            "convention_id",
        )


def _check_facts(data: dict, today: date) -> None:
    if data["ceded_on"] > today:
        raise Invalid(_("La date de cession ne peut pas être dans le futur."), "ceded_on")
    if data["ceded_on"] < data["first_registered_on"]:
        raise Invalid(_("La date de cession ne peut pas précéder la première mise en circulation."), "ceded_on")
    if data["value_cents"] < 0:
        raise Invalid(_("La valeur ne peut pas être négative : saisissez 0 ou plus."), "value_cents")


def create_cession(data: dict, actor: User, today: date | None = None) -> Cession:
    today = today or today_in_france()
    # The row lock makes two simultaneous cessions count each other (PostgreSQL; SQLite runs
    # one writer at a time).
    convention = db.session.scalar(
        select(Convention).where(Convention.id == data["convention_id"]).with_for_update(of=Convention)
    ) if data["convention_id"] else None
    if convention is None:
        raise Invalid(_("Choisissez la convention dans la liste."), "convention_id")
    _check_facts(data, today)
    check_convention_limits(convention, data, today)
    if db.session.scalar(select(Cession.id).where(Cession.vin == data["vin"])) is not None:
        raise Conflict(_("Ce numéro VIN est déjà celui d'une autre cession : un véhicule n'est cédé qu'une fois."), "vin")
    owner = db.session.scalar(select(Vehicle.association_id).where(Vehicle.vin == data["vin"]))
    if owner is not None and owner != convention.association_id:
        raise Conflict(_("Ce numéro VIN est celui d'un véhicule d'une autre association."), "vin")
    cession = Cession(
        **{name: data[name] for name in CESSION_FIELDS},
        convention_id=convention.id, association_id=convention.association_id, created_by_id=actor.id,
    )
    MACHINE.move(cession, A.PROPOSE, actor, creating=True)
    db.session.add(cession)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Ce numéro VIN est déjà celui d'une autre cession : un véhicule n'est cédé qu'une fois."), "vin") from exc
    record(AuditAction.CREATE, "cession", cession.id, actor=actor, fields=CESSION_FIELDS)
    return cession


def facts_of(cession: Cession) -> rules.CessionFacts:
    return rules.CessionFacts(cession.category, cession.first_registered_on, cession.ceded_on)


def paperwork_status(cession: Cession, today: date | None = None) -> list[rules.ItemStatus]:
    done = {item.kind: item.done_on for item in cession.paperwork}
    return rules.paperwork_status(facts_of(cession), done, today or today_in_france(), settings())


def record_paperwork(
    cession: Cession,
    kind: PaperworkKind,
    done_on: date,
    actor: User,
    *,
    certificate_number: str | None = None,
    document: CessionDocument | None = None,
    today: date | None = None,
) -> PaperworkItem:
    """Record (or correct) one item; a later date than today is refused."""
    today = today or today_in_france()
    if cession.state in ENDED_STATES:
        raise Conflict(_("Cette cession est close : ses pièces ne changent plus."))
    if done_on > today:
        raise Invalid(_("Cette date ne peut pas être dans le futur."), "done_on")
    if kind is PaperworkKind.REGISTRATION and not (certificate_number or "").strip():
        raise Invalid(_("Indiquez le numéro du nouveau certificat d'immatriculation."), "certificate_number")
    if kind is PaperworkKind.REGISTRATION and done_on < cession.ceded_on:
        raise Invalid(_("L'immatriculation au nom de l'association ne peut pas précéder la cession."), "done_on")
    item = cession.paperwork_of(kind)
    action = AuditAction.UPDATE if item is not None else AuditAction.CREATE
    if item is None:
        item = PaperworkItem(kind=kind)
        cession.paperwork.append(item)
    item.done_on = done_on
    item.certificate_number = (certificate_number or "").strip() or None
    if document is not None:
        item.document = document
    item.recorded_by_id = actor.id
    db.session.flush()
    record(action, "cession_paperwork", item.id, actor=actor, fields=("done_on", "document", kind.value))
    return item


def can(cession: Cession, action: CessionAction, user: User) -> bool:
    return MACHINE.can(cession, action, user.role)


def allowed_actions(cession: Cession, user: User) -> list[CessionAction]:
    return MACHINE.allowed_actions(cession, user.role)


def _check_allowed(cession: Cession, action: CessionAction, actor: User) -> None:
    """Refuse an illegal move before looking at anything else (the paperwork, the vehicle)."""
    if not MACHINE.can(cession, action, actor.role):
        raise IllegalMove(_illegal(cession, action))


def _move(cession: Cession, action: CessionAction, actor: User, reason: str | None) -> CessionTransition:
    row = MACHINE.move(cession, action, actor, reason)
    db.session.flush()
    record(AuditAction.UPDATE, "cession", cession.id, actor=actor, fields=("state",))
    return row


def accept(cession: Cession, actor: User) -> None:
    _move(cession, A.ACCEPT, actor, None)


def decline(cession: Cession, actor: User, reason: str | None) -> None:
    _move(cession, A.DECLINE, actor, reason)


def transfer(cession: Cession, actor: User) -> None:
    _move(cession, A.TRANSFER, actor, None)


def register(cession: Cession, actor: User, today: date | None = None) -> None:
    """Registered in the association's name: only with the paperwork that makes it legal."""
    _check_allowed(cession, A.REGISTER, actor)
    missing = [item for item in paperwork_status(cession, today) if item.blocks_registration]
    if missing:
        raise Refused(
            _("Il manque des pièces pour immatriculer légalement le véhicule : %(items)s.",
              items="; ".join(f"{item.label} ({item.status_label})" for item in missing))
        )
    _move(cession, A.REGISTER, actor, None)


def record_resale_agreement(cession: Cession, reference: str, agreed_on: date, actor: User) -> None:
    if not (reference or "").strip():
        raise Invalid(_("Indiquez la référence de l'accord du Département."), "resale_agreement_reference")
    if agreed_on > today_in_france():
        raise Invalid(_("Cette date ne peut pas être dans le futur."), "resale_agreed_on")
    cession.resale_agreement_reference = reference.strip()
    cession.resale_agreed_on = agreed_on
    db.session.flush()
    record(AuditAction.UPDATE, "cession", cession.id, actor=actor, fields=("resale_agreement",))


def resell(cession: Cession, actor: User, reason: str | None) -> None:
    """A free cession binds the association to use the vehicle: resale needs the Département's agreement."""
    _check_allowed(cession, A.RESELL, actor)
    if cession.convention.is_free and cession.resale_agreement_reference is None:
        raise Refused(
            _("Ce véhicule a été cédé gratuitement : sa revente demande l'accord écrit du Département, "
              "à enregistrer d'abord sur la cession.")
        )
    _move(cession, A.RESELL, actor, reason)
    _retire_vehicle(cession, actor)


def scrap(cession: Cession, actor: User, reason: str | None) -> None:
    _move(cession, A.SCRAP, actor, reason)
    _retire_vehicle(cession, actor)


def _retire_vehicle(cession: Cession, actor: User) -> None:
    vehicle = cession.vehicle
    if vehicle is not None and vehicle.status is not VehicleStatus.RETIRED:
        vehicle.status = VehicleStatus.RETIRED
        record(AuditAction.UPDATE, "vehicle", vehicle.id, actor=actor, fields=("status",))


def put_in_service(cession: Cession, actor: User, *, site_id: int | None, gearbox: Gearbox | None, seats: int | None) -> Vehicle:
    """The association's fleet vehicle: the one already holding this VIN, linked, or a new one."""
    _check_allowed(cession, A.PUT_IN_SERVICE, actor)
    vehicle = fleet_vehicle_with_vin(cession.vin)
    if vehicle is not None:
        if vehicle.association_id != cession.association_id:
            raise Conflict(_("Ce numéro VIN est celui d'un véhicule d'une autre association."), "vin")
        vehicle.origin = VehicleOrigin.CEDED
        vehicle.cession_id = cession.id
        record(AuditAction.UPDATE, "vehicle", vehicle.id, actor=actor, fields=("origin", "cession_id"))
    else:
        data = {
            "site_id": site_id, "plate": cession.plate, "vin": cession.vin, "make": cession.make,
            "model": cession.model, "category": cession.category, "energy": cession.energy,
            "gearbox": gearbox, "seats": seats, "first_registered_on": cession.first_registered_on,
            "origin": VehicleOrigin.CEDED, "status": VehicleStatus.ACTIVE, "insurance_expires_on": None,
            "technical_inspection_due_on": None, "notes": None,
        }
        if gearbox is None:
            raise Invalid(_("Choisissez la boîte de vitesses."), "gearbox")
        if not seats or seats < 1:
            raise Invalid(_("Indiquez le nombre de places."), "seats")
        try:
            vehicle = fleet_services.create_vehicle(
                data, actor, initial_km=cession.odometer_km, today=max(cession.ceded_on, today_in_france())
            )
        except fleet_services.FleetError as exc:
            raise Refused(exc.message, exc.field) from exc
        vehicle.cession_id = cession.id
    db.session.flush()
    _move(cession, A.PUT_IN_SERVICE, actor, None)
    return vehicle


def fleet_vehicle_with_vin(vin: str) -> Vehicle | None:
    return db.session.scalar(select(Vehicle).where(Vehicle.vin == vin))


@dataclass(frozen=True)
class Seller:
    name: str
    siret: str
    address: str


def seller_identity() -> Seller:
    """The Département as the seller on the Cerfa 15776: the settings first, then what the
    admins recorded on the Département's organisation (its SIRET and postal address)."""
    current = settings()
    departement = db.session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.DEPARTEMENT).order_by(Organisation.id).limit(1)
    )
    return Seller(
        current.seller_name,
        current.seller_siret or (departement.siret if departement else None) or "",
        current.seller_address or (departement.postal_address if departement else None) or "",
    )


def formatted_siret(siret: str | None) -> str:
    """123 456 789 00015: the SIREN in threes, then the establishment's five digits."""
    if not siret:
        return ""
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


# --- Late paperwork for the home pages ----------------------------------------------------------


@dataclass(frozen=True)
class LatePaperwork:
    cession: Cession
    items: list[rules.ItemStatus]


def late_paperwork(user: User, today: date | None = None) -> list[LatePaperwork]:
    """Cessions of this person's scope with an item late or to redo, most late first."""
    today = today or today_in_france()
    query = visible_cessions(user, joinedload).where(Cession.state.not_in(ENDED_STATES))
    late = []
    for cession in db.session.scalars(query).unique():
        items = rules.late_items(paperwork_status(cession, today))
        if items:
            late.append(LatePaperwork(cession, items))
    late.sort(key=lambda entry: -max(item.days_late for item in entry.items))
    return late
