"""The cession file prints both parties' SIRET and postal address from their organisations."""

from __future__ import annotations

import html

from sqlalchemy import select

from mobility.auth.models import Organisation, OrganisationKind
from mobility.extensions import db
from tests.cession.factories import CessionFactory
from tests.factories import OrganisationFactory

VALID = "12345678900015"


def test_the_cession_file_prints_both_parties_siret_and_address(frozen_today, client, auth, fleet_user, convention):
    association = fleet_user.organisation
    association.siret, association.postal_address = VALID, "3 place du Martroi\n45000 Orléans"
    departement = db.session.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.DEPARTEMENT))
    if departement is None:
        departement = OrganisationFactory(name="Département du Loiret (services)", kind=OrganisationKind.DEPARTEMENT)
    departement.siret, departement.postal_address = "22450001600015", "15 rue Eugène Vignat\n45000 Orléans"
    db.session.commit()
    cession = CessionFactory(convention=convention)
    auth.login(fleet_user)
    page = html.unescape(client.get(f"/cessions/{cession.id}/fiche").get_data(as_text=True))
    for expected in ("123 456 789 00015", "3 place du Martroi", "224 500 016 00015", "15 rue Eugène Vignat"):
        assert expected in page, expected


def test_without_siret_or_address_the_file_leaves_blanks_to_fill_by_hand(frozen_today, client, auth, fleet_user, convention):
    cession = CessionFactory(convention=convention)
    auth.login(fleet_user)
    page = html.unescape(client.get(f"/cessions/{cession.id}/fiche").get_data(as_text=True))
    assert page.count("……………………………") >= 4
