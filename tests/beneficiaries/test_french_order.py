"""Communes and people in the order a French reader expects, the same on SQLite and PostgreSQL:
lists order by a key computed in Python and compared byte by byte by both databases."""

from __future__ import annotations

import re


from mobility.beneficiaries.models import Beneficiary
from mobility.extensions import db
from mobility.territory.models import Commune
from tests.factories import BeneficiaryFactory, UserFactory
from tests.helpers import page_text


def _position(html: str, text: str) -> int:
    index = html.find(text)
    assert index >= 0, text
    return index


def test_the_commune_list_ignores_accents(client, referent_logged_in):
    html = page_text(client.get("/beneficiaires/nouveau"))
    assert _position(html, ">Boësses (45390)<") < _position(html, ">Boynes (45300)<")
    assert _position(html, ">Chécy (45430)<") < _position(html, ">Chuelles (45220)<")


def test_every_commune_has_its_sort_key_from_the_migration(app):
    communes = Commune.all_ordered()
    assert len(communes) == 325
    assert all(commune.sort_key for commune in communes)
    names = [commune.name for commune in communes]
    assert names.index("Boësses") < names.index("Boynes")
    assert names.index("Chécy") < names.index("Chuelles")


def test_the_files_are_listed_by_name_accents_ignored(client, referent_logged_in):
    for last_name in ("Ezra", "Éluard", "Dupont", "de la Fontaine", "Durand"):
        BeneficiaryFactory(referent=referent_logged_in, last_name=last_name, first_name="Camille")
    html = page_text(client.get("/beneficiaires"))
    found = re.findall(r">(Ezra|Éluard|Dupont|de la Fontaine|Durand) Camille<", html)
    assert found == ["de la Fontaine", "Dupont", "Durand", "Éluard", "Ezra"]


def test_a_renamed_file_moves_to_its_new_place(app):
    person = BeneficiaryFactory(last_name="Zola")
    assert person.sort_key.startswith("zola")
    person.last_name = "Émile"
    db.session.commit()
    assert db.session.get(Beneficiary, person.id).sort_key.startswith("emile")


def test_the_referents_of_an_organisation_are_sorted_accents_ignored(app):
    from mobility.beneficiaries.services import referents_of

    first = UserFactory(full_name="Zoé Martin")
    organisation = first.organisation
    UserFactory(full_name="Émilie Bernard", organisation=organisation)
    UserFactory(full_name="Eric Durand", organisation=organisation)
    assert [user.full_name for user in referents_of(organisation.id)] == [
        "Émilie Bernard",
        "Eric Durand",
        "Zoé Martin",
    ]
