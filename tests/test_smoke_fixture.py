from sqlalchemy import func, select

from mobility.territory.models import Commune


def test_migrations_load_the_325_loiret_communes(app):
    assert app.extensions["sqlalchemy"] is not None
    from mobility.extensions import db

    assert db.session.scalar(select(func.count()).select_from(Commune)) == 325
