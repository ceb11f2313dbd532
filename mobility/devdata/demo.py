"""Demonstration data: realistic organisations, the four demo accounts, a few beneficiaries.

Names of people are visibly demo placeholders: the project invents no identities.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from mobility.auth.models import Organisation, OrganisationKind, Role, User
from mobility.auth.passwords import hash_password
from mobility.beneficiaries.models import Beneficiary
from mobility.devdata.bookings import seed_bookings
from mobility.devdata.cessions import seed_cessions
from mobility.devdata.fines import seed_fines
from mobility.extensions import db
from mobility.devdata.fleet import seed_fleet
from mobility.territory.models import EmploymentBasin

DEMO_PASSWORD = "demo-mobilite-2026"  # the demo password the README publishes; seed-demo is for development  # nosec B105

# name, kind, is_mission_locale, basin codes
ORGANISATIONS = (
    ("Département du Loiret", OrganisationKind.DEPARTEMENT, False,
     ("orleans", "montargis", "gien", "pithiviers")),
    ("Association Mobilité Solidaire du Montargois", OrganisationKind.ASSOCIATION, False,
     ("montargis", "gien")),
    ("Association Roule vers l'Emploi Orléans-Pithiviers", OrganisationKind.ASSOCIATION, False,
     ("orleans", "pithiviers")),
    ("Mission locale de l'Orléanais", OrganisationKind.PRESCRIBER, True, ("orleans",)),
    ("Mission locale Montargis-Gien", OrganisationKind.PRESCRIBER, True, ("montargis", "gien")),
    ("Mission locale du Pithiverais", OrganisationKind.PRESCRIBER, True, ("pithiviers",)),
    ("France Travail Orléans Sud", OrganisationKind.PRESCRIBER, False, ("orleans",)),
)

# email, display name, role, organisation
ACCOUNTS = (
    ("admin@demo.test", "Admin Démo", Role.ADMIN, "Département du Loiret"),
    ("referent@demo.test", "Référente Démo", Role.REFERENT, "Département du Loiret"),
    ("gestion@demo.test", "Gestion Démo", Role.FLEET, "Association Mobilité Solidaire du Montargois"),
    ("referent-ml@demo.test", "Référent Démo Mission locale", Role.REFERENT, "Mission locale de l'Orléanais"),
    ("gestion-orleans@demo.test", "Gestion Démo Orléans", Role.FLEET,
     "Association Roule vers l'Emploi Orléans-Pithiviers"),
)

# label, commune INSEE code, age, licence B, AM licence
BENEFICIARIES = (
    ("01", "45234", 34, True, False),   # Orléans, car licence
    ("02", "45208", 41, True, False),   # Montargis
    ("03", "45155", 29, False, True),   # Gien, VSP with AM licence
    ("04", "45252", 52, False, False),  # Pithiviers, born before 1988: VSP without licence
    ("05", "45004", 36, False, False),  # Amilly, born after 1988 without AM licence
)


def _organisation(name: str, kind, is_mission_locale: bool, basin_codes) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind, is_mission_locale=is_mission_locale)
        organisation.basins = list(
            db.session.scalars(select(EmploymentBasin).where(EmploymentBasin.code.in_(basin_codes)))
        )
        db.session.add(organisation)
    return organisation


def _account(email: str, name: str, role: Role, organisation: Organisation, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=name, role=role, organisation=organisation,
                    password_hash=password_hash)
        db.session.add(user)
    return user


def seed_demo(today: date | None = None) -> dict[str, int]:
    """Create what is missing; running it again changes nothing."""
    today = today or date.today()
    if db.session.scalar(select(EmploymentBasin.id).limit(1)) is None:
        raise RuntimeError("reference data missing: run 'flask --app wsgi db upgrade' first")
    organisations = {
        name: _organisation(name, kind, is_ml, basins) for name, kind, is_ml, basins in ORGANISATIONS
    }
    db.session.flush()
    password_hash = hash_password(DEMO_PASSWORD)
    users = {
        email: _account(email, name, role, organisations[org], password_hash)
        for email, name, role, org in ACCOUNTS
    }
    db.session.flush()

    referent = users["referent@demo.test"]
    created = 0
    for label, insee, age, licence_b, am_licence in BENEFICIARIES:
        first, last = "Bénéficiaire", f"Démo {label}"
        exists = db.session.scalar(
            select(Beneficiary.id).where(Beneficiary.first_name == first, Beneficiary.last_name == last)
        )
        if exists:
            continue
        birth = date(today.year - age, 3, 15)
        beneficiary = Beneficiary(
            first_name=first,
            last_name=last,
            birth_date=birth,
            phone=f"06 00 00 00 {label}",
            commune_insee=insee,
            organisation=referent.organisation,
            referent=referent,
            rsa_checked_on=today - timedelta(days=30),
            rsa_checked_by=referent,
            has_am_licence=am_licence,
            licence_b_issued_on=date(today.year - 8, 6, 1) if licence_b else None,
            licence_b_expires_on=date(today.year + 7, 6, 1) if licence_b else None,
            driving_rights_checked_on=today - timedelta(days=30),
            driving_rights_checked_by=referent,
            cer_valid_until=today + timedelta(days=180),
        )
        db.session.add(beneficiary)
        created += 1
    db.session.flush()

    # The demo beneficiary account is the person of file 01.
    account = db.session.scalar(select(User).where(User.email == "beneficiaire@demo.test"))
    if account is None:
        account = User(email="beneficiaire@demo.test", full_name="Bénéficiaire Démo 01",
                       role=Role.BENEFICIARY, organisation=referent.organisation,
                       password_hash=password_hash)
        db.session.add(account)
        db.session.flush()
        first_file = db.session.scalar(
            select(Beneficiary).where(Beneficiary.last_name == "Démo 01")
        )
        first_file.email = account.email
        first_file.user = account
    fleet = seed_fleet(today)
    bookings = seed_bookings(today)
    cessions = seed_cessions(today)
    fines = seed_fines(today)
    return {
        "organisations": len(organisations),
        "accounts": len(users) + 1,
        "new_beneficiaries": created + bookings["new_people"],
        "new_vehicles": fleet["new_vehicles"],
        "new_bookings": bookings["new_bookings"],
        "new_cessions": cessions["new_cessions"],
        "new_fines": fines["new_fines"],
    }
