"""Admin page of the messages that could not be delivered, with a retry button.

The notify floor sits below auth, so it checks the admin flag that auth's User carries
(current_user.is_admin) instead of importing auth's role decorator; anyone else gets 404.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mobility.core.forms import BaseForm
from mobility.extensions import db
from mobility.notify import services
from mobility.notify.models import OutboxMessage, OutboxStatus

bp = Blueprint("notify_admin", __name__, url_prefix="/admin/messages")


def admin_only(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not getattr(current_user, "is_admin", False):
            abort(404)
        return view(*args, **kwargs)

    return wrapped


class RetryForm(BaseForm):
    """Only the CSRF token: the message is named by the URL."""


@bp.get("/echecs")
@admin_only
def failed():
    return render_template("notify/admin_failed.html", messages=services.failed_messages())


@bp.post("/<int:message_id>/renvoyer")
@admin_only
def retry(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status is not OutboxStatus.FAILED:
        abort(404)
    if not RetryForm().validate_on_submit():
        abort(400)
    services.retry(message)
    db.session.commit()
    flash(_("Le message n° %(id)s repart : il sera envoyé dans la minute.", id=message_id), "success")
    return redirect(url_for("notify_admin.failed"))
