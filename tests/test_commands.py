import os
import shutil
import subprocess
from pathlib import Path

import pytest
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


# The README's commands in a development checkout -----------------------------------------------

CHECKOUT_PARTS = ("wsgi.py", "Makefile", "mobility", "migrations")
PROJECT = Path(__file__).resolve().parent.parent
FLASK = PROJECT / ".venv" / "bin" / "flask"


@pytest.fixture
def checkout(tmp_path):
    """A copy of the checkout with nothing set in the environment (no APP_ENV, no SECRET_KEY)."""
    root = tmp_path / "checkout"
    root.mkdir()
    for part in CHECKOUT_PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / part)
    (root / "instance").mkdir()
    return root


def _bare_environment(home: Path) -> dict:
    return {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8"}


def _flask(checkout: Path, *args, input=None):
    return subprocess.run(
        [str(FLASK), "--app", "wsgi", *args],
        cwd=checkout, env=_bare_environment(checkout), input=input, capture_output=True, text=True, timeout=300,
    )


def test_after_make_run_every_flask_command_of_the_readme_works_as_printed(checkout):
    # What `make run` does first: write .env (it also upgrades, seeds and serves).
    subprocess.run(["make", "-s", ".env"], cwd=checkout, env=_bare_environment(checkout), check=True)
    assert "APP_ENV=development" in (checkout / ".env").read_text()
    commands = [
        (["db", "upgrade"], None),
        (["seed-demo"], None),
        (["create-user", "admin2@example.org", "--name", "Admin Essai", "--role", "admin",
          "--organisation", "Département du Loiret"], "\n\n"),
        (["create-api-token", "admin@demo.test", "--name", "outil du plan"], None),
        (["send-outbox"], None),
        (["expire-bookings"], None),
    ]
    for args, given in commands:
        result = _flask(checkout, *args, input=given)
        assert result.returncode == 0, f"flask --app wsgi {' '.join(args)}: {result.stderr}"
    assert (checkout / "instance" / "mobility.sqlite3").exists()


def test_without_that_set_up_the_service_still_refuses_to_start_in_production(checkout):
    assert not (checkout / ".env").exists()
    result = _flask(checkout, "send-outbox")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_make_run_never_overwrites_an_existing_env_file(checkout):
    (checkout / ".env").write_text("APP_ENV=production\nSECRET_KEY=kept\n")
    subprocess.run(["make", "-s", ".env"], cwd=checkout, env=_bare_environment(checkout), check=True)
    assert (checkout / ".env").read_text() == "APP_ENV=production\nSECRET_KEY=kept\n"
    result = _flask(checkout, "send-outbox")
    assert "TRUSTED_HOSTS is not set" in result.stderr
