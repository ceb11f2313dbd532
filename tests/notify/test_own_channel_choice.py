"""A person chooses e-mail, SMS or both on their own "Mes données" page."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.extensions import db
from mobility.notify.models import Channel, ContactChoice
from tests.factories import BeneficiaryFactory, UserFactory
from tests.helpers import page_text


@pytest.fixture
def make_person(app, frozen):

    def make(**file):
        user = UserFactory(beneficiary=True)
        beneficiary = BeneficiaryFactory(user=user, **file)
        db.session.commit()
        return user, beneficiary

    return make


def test_a_person_chooses_sms_and_the_change_is_audited(client, auth, make_person):
    user, beneficiary = make_person(phone="06 12 34 56 78")
    auth.login(user)
    response = client.post("/mes-donnees", data={"contact_channel": "sms"}, follow_redirects=True)
    assert "Votre choix est enregistré." in page_text(response)
    db.session.expire_all()
    assert beneficiary.contact_channel is ContactChoice.SMS
    assert beneficiary.contact().channels() == [Channel.SMS]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE, AuditEvent.object_type == "beneficiary",
               AuditEvent.object_id == beneficiary.id)
    ).one()
    assert event.actor_id == user.id and "contact_channel" in event.fields


def test_sms_without_a_mobile_number_is_refused_in_french_and_changes_nothing(client, auth, make_person):
    user, beneficiary = make_person(phone=None, contact_channel=ContactChoice.EMAIL)
    auth.login(user)
    response = client.post("/mes-donnees", data={"contact_channel": "both"})
    assert response.status_code == 422
    assert "Pour recevoir des SMS, il faut un numéro de portable" in page_text(response)
    db.session.expire_all()
    assert beneficiary.contact_channel is ContactChoice.EMAIL


def test_an_unknown_choice_is_refused(client, auth, make_person):
    user, beneficiary = make_person(phone="06 12 34 56 78")
    auth.login(user)
    response = client.post("/mes-donnees", data={"contact_channel": "pigeon"})
    assert response.status_code == 422
    db.session.expire_all()
    assert beneficiary.contact_channel is None
