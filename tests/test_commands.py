from sqlalchemy import func, select

from mobility.auth.models import Organisation, Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.devdata.demo import DEMO_PASSWORD
from mobility.extensions import db


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Organisation, User, Beneficiary)
    )


def test_seed_demo_is_idempotent_and_the_four_demo_accounts_log_in(runner, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    first = _counts()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.rollback()
    assert _counts() == first
    organisations = set(db.session.scalars(select(Organisation.name)))
    assert {"Mission locale de l'Orléanais", "Mission locale Montargis-Gien", "Mission locale du Pithiverais"} <= organisations
    client = app.test_client()
    for email, heading in (
        ("admin@demo.test", "Administration du dispositif"),
        ("referent@demo.test", "Espace référent"),
        ("gestion@demo.test", "Espace gestion de flotte"),
        ("beneficiaire@demo.test", "Bonjour"),
    ):
        response = client.post("/connexion", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert heading in client.get("/accueil").get_data(as_text=True)
        client.post("/deconnexion")


def test_create_user_with_a_password(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=["create-user", "nouveau@example.org", "--name", "Nouveau Compte", "--role", "admin",
              "--organisation", "Département du Loiret"],
        input="une phrase de passe solide\nune phrase de passe solide\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "nouveau@example.org"))
    assert user.role is Role.ADMIN and user.has_password


def test_create_user_without_a_password_sends_an_invitation(runner, mailbox):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=["create-user", "invite@example.org", "--name", "Invité", "--role", "referent",
              "--organisation", "Département du Loiret"],
        input="\n\n",
    )
    assert result.exit_code == 0, result.output
    assert "invitation sent" in result.output
    assert mailbox.last_to("invite@example.org")["Subject"]


def test_create_user_explains_a_wrong_organisation_or_role(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=["create-user", "x@example.org", "--name", "X", "--role", "fleet",
              "--organisation", "Département du Loiret", "--password", "une phrase de passe solide"],
    )
    assert result.exit_code != 0
    assert "Ce rôle n'est pas possible" in result.output
    result = runner.invoke(
        args=["create-user", "x@example.org", "--name", "X", "--role", "admin",
              "--organisation", "Nulle part", "--password", "une phrase de passe solide"],
    )
    assert "No organisation named" in result.output
