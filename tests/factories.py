"""factory_boy factories on the real session (rows are committed, like in the service)."""

from __future__ import annotations

from datetime import date

import factory

from mobility.auth.models import Organisation, OrganisationKind, Role, User
from mobility.auth.passwords import hash_password
from mobility.beneficiaries.models import Beneficiary
from mobility.extensions import db

TEST_PASSWORD = "correct horse battery staple"
_TEST_PASSWORD_HASH = hash_password(TEST_PASSWORD)


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.PRESCRIBER
    is_mission_locale = False

    class Params:
        association = factory.Trait(kind=OrganisationKind.ASSOCIATION)
        departement = factory.Trait(kind=OrganisationKind.DEPARTEMENT)
        mission_locale = factory.Trait(is_mission_locale=True)


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Compte {n}")
    role = Role.REFERENT
    organisation = factory.SubFactory(OrganisationFactory)
    password_hash = _TEST_PASSWORD_HASH

    class Params:
        admin = factory.Trait(role=Role.ADMIN, organisation=factory.SubFactory(OrganisationFactory, departement=True))
        fleet = factory.Trait(role=Role.FLEET, organisation=factory.SubFactory(OrganisationFactory, association=True))
        beneficiary = factory.Trait(role=Role.BENEFICIARY)
        invited = factory.Trait(password_hash=None)


class BeneficiaryFactory(BaseFactory):
    class Meta:
        model = Beneficiary

    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Fiche {n}")
    birth_date = date(1985, 5, 17)
    commune_insee = "45234"  # Orléans
    phone = "06 12 34 56 78"
    referent = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("referent.organisation")

    class Params:
        licence_b = factory.Trait(
            licence_b_issued_on=date(2010, 6, 1),
            licence_b_expires_on=date(2033, 1, 19),
        )
