"""Admin page of the API tokens: who holds which, when last used; revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from mobility.api import services
from mobility.api.models import ApiToken
from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.extensions import db

bp = Blueprint("api_admin", __name__, url_prefix="/admin")


def _token_or_404(token_id: int) -> ApiToken:
    token = services.get_token(token_id)
    if token is None:
        abort(404)
    return token


@bp.route("/jetons")
@role_required(Role.ADMIN)
def tokens():
    return render_template("api/tokens.html", tokens=services.all_tokens())


@bp.route("/jetons/<int:token_id>/revoquer", methods=["POST"])
@role_required(Role.ADMIN)
def revoke(token_id: int):
    # CSRFProtect has already checked the form's token, as on every POST.
    token = _token_or_404(token_id)
    if token.is_revoked:
        flash(_("Le jeton « %(name)s » était déjà révoqué.", name=token.name), "info")
    else:
        token.revoke()
        db.session.commit()
        flash(_("Le jeton « %(name)s » est révoqué : il ne fonctionne plus.", name=token.name), "success")
    return redirect(url_for("api_admin.tokens"))
