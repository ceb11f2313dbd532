"""The service as gunicorn serves it, plus two reference routes: for bench/pages.py only.

    gunicorn --pythonpath bench pages_app:app

Never imported by the product. It wraps create_app() and adds, behind the same hooks
(trusted hosts, input boundary, limiter, Babel, login manager, security headers):

- /_bench/hello: a hello-world Flask route, the ceiling of the framework on this machine;
- /_bench/two-queries: two simple SQLAlchemy queries, the yardstick of the page targets.

With BENCH_COUNT_STATEMENTS=1 each response carries X-Bench-Statements: the SQL statements
the request ran (counted from the first WSGI call to the response headers, after_request hooks
included). The bench reads it once per page, from a single request.
"""

from __future__ import annotations

import os

from sqlalchemy import event, func, select

from mobility import create_app
from mobility.extensions import db
from mobility.fleet.models import Vehicle
from mobility.territory.models import EmploymentBasin

app = create_app()


@app.get("/_bench/hello")
def hello():
    return "Hello, World!"


@app.get("/_bench/two-queries")
def two_queries():
    basins = db.session.scalars(select(EmploymentBasin).order_by(EmploymentBasin.id)).all()
    vehicles = db.session.scalar(select(func.count(Vehicle.id)))
    return {"basins": [basin.code for basin in basins], "vehicles": vehicles}


class StatementCounter:
    """WSGI middleware: the statements of one request in a response header (sync workers: one
    request at a time per process, so a plain counter is enough)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.count = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._counted)

    def _counted(self, *args, **kwargs):
        self.count += 1

    def __call__(self, environ, start_response):
        self.count = 0

        def counting_start_response(status, headers, exc_info=None):
            headers.append(("X-Bench-Statements", str(self.count)))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, counting_start_response)


if os.environ.get("BENCH_COUNT_STATEMENTS") == "1":
    app.wsgi_app = StatementCounter(app.wsgi_app)
