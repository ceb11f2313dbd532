"""A référent sets how a person hears from the service; numbers are kept in E.164."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mobility.beneficiaries.models import Beneficiary
from mobility.extensions import db
from mobility.notify.models import Channel, ContactChoice
from tests.helpers import page_text

FORM = {
    "first_name": "Prénom",
    "last_name": "Sans Mail",
    "birth_date": "1985-05-17",
    "commune_insee": "45208",
}


def test_a_person_without_email_can_be_set_to_sms_and_the_number_is_normalised(client, referent_logged_in):
    data = {**FORM, "referent_id": referent_logged_in.id, "phone": "06 12 34 56 78", "contact_channel": "sms"}
    assert client.post("/beneficiaires/nouveau", data=data).status_code == 302
    person = db.session.scalar(select(Beneficiary))
    assert (person.phone, person.contact_channel) == ("+33612345678", ContactChoice.SMS)
    assert person.contact().channels() == [Channel.SMS]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"phone": "02 38 25 45 45", "contact_channel": "sms"}, "numéro de portable"),
        ({"contact_channel": "email"}, "saisissez une adresse e-mail"),
        ({"contact_channel": "pigeon"}, "Choisissez une façon de recevoir les messages"),
    ],
)
def test_a_choice_the_details_cannot_honour_is_refused_in_french(client, referent_logged_in, extra, message):
    response = client.post("/beneficiaires/nouveau", data={**FORM, "referent_id": referent_logged_in.id, **extra})
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(select(Beneficiary)) is None
