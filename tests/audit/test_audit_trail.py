import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.extensions import db
from tests.factories import BeneficiaryFactory, UserFactory


def _one_event(app):
    user = UserFactory()
    record(AuditAction.READ, "beneficiary", 1, actor=user)
    db.session.commit()


def test_the_database_refuses_to_change_an_audit_row(app):
    _one_event(app)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE audit_event SET object_id = 2"))
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_to_delete_an_audit_row(app):
    _one_event(app)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_event"))
        db.session.commit()
    db.session.rollback()
    assert db.session.execute(text("SELECT count(*) FROM audit_event")).scalar() == 1


def test_admins_browse_the_trail_and_filter_it_by_object(client, auth):
    beneficiary = BeneficiaryFactory()
    other = BeneficiaryFactory(referent=beneficiary.referent)
    referent = beneficiary.referent
    auth.login(referent)
    client.get(f"/beneficiaires/{beneficiary.id}")
    client.get(f"/beneficiaires/{other.id}")
    auth.logout()
    auth.login(UserFactory(admin=True))
    page = client.get(f"/admin/journal/?objet=beneficiary&id={beneficiary.id}").get_data(as_text=True)
    assert referent.full_name in page
    assert f"beneficiary n° {beneficiary.id}" in page
    assert f"beneficiary n° {other.id}" not in page
    # The trail names people who accessed files, never the people in the files.
    assert beneficiary.last_name not in page


@pytest.mark.parametrize("trait", [{"role": None}, {"fleet": True}, {"beneficiary": True}])
def test_only_admins_see_the_trail(client, auth, trait):
    trait = {k: v for k, v in trait.items() if v is not None}
    auth.login(UserFactory(**trait))
    assert client.get("/admin/journal/").status_code == 404


@pytest.mark.parametrize("query", ["id=99999999999999999999", "acteur=-99999999999999999999", "page=99999999999999999999"])
def test_the_trail_filters_refuse_numbers_beyond_a_database_id_without_an_error_page(client, auth, query):
    auth.login(UserFactory(admin=True))
    response = client.get(f"/admin/journal/?{query}")
    assert response.status_code == 200
    assert "Journal" in response.get_data(as_text=True)
