"""WSGI entry point: gunicorn wsgi:app, flask --app wsgi ..."""

from mobility import create_app

app = create_app()
