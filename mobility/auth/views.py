from __future__ import annotations

from flask import (
    Blueprint,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from mobility.auth import services, sessions, throttling
from mobility.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
)
from mobility.auth.passwords import verify_password
from mobility.core.boundary import safe_local_path
from mobility.extensions import db, limiter
from mobility.notify.services import deliver_if_committed

bp = Blueprint("auth", __name__)


def _log_in(user, remember: bool) -> None:
    """A new server-side session for this device, in a fresh cookie session (no fixation)."""
    sessions.start_session(user, remember)
    db.session.commit()
    # Keep only the chosen language from the anonymous session.
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    login_user(user, remember=remember, duration=sessions.session_lifetime())
    session.permanent = True


def _remember_device(response, email: str) -> None:
    """This browser now counts as a known device of the account for login throttling."""
    response.set_cookie(
        throttling.DEVICE_COOKIE_NAME,
        throttling.device_cookie_value(email),
        max_age=throttling.DEVICE_COOKIE_DAYS * 86400,
        path=url_for("auth.login"),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _log_out() -> None:
    """Revoke this device's session on the server, then forget it in the browser."""
    if current_user.is_authenticated:
        sessions.end_session(current_user)
        db.session.commit()
    logout_user()
    session.clear()


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(
    throttling.limit_per_account_and_ip,
    key_func=throttling.account_and_address_key,
    methods=["POST"],
    deduct_when=throttling.failed_login,
    scope="login-account-ip",
)
@limiter.limit(
    throttling.limit_per_account,
    key_func=throttling.account_key,
    methods=["POST"],
    deduct_when=throttling.failed_login,
    exempt_when=throttling.on_known_device,
    scope="login-account",
)
@limiter.limit(
    throttling.limit_per_ip,
    methods=["POST"],
    deduct_when=throttling.failed_login,
    exempt_when=throttling.on_known_device,
    scope="login-ip",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _log_in(user, remember=form.remember.data)
            response = redirect(safe_local_path(request.args.get("next"), url_for("main.home")))
            _remember_device(response, user.email)
            return response
        form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    _log_out()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("main.index"))


@bp.route("/deconnexion-partout", methods=["POST"])
@login_required
def logout_everywhere():
    current_user.revoke_sessions()
    db.session.commit()
    _log_out()
    flash(_("Vous êtes déconnecté de tous vos appareils."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], scope="forgot-ip")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        _reset_after_the_response(form.email.data)
        # Same answer, and the same work in the request, whether the account exists or not:
        # nobody learns who has one, not even from the time the answer takes.
        flash(
            _(
                "Si un compte existe pour cette adresse, un lien pour choisir un nouveau mot de "
                "passe vient d'y être envoyé. Il est valable %(minutes)s minutes.",
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"] // 60,
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status


def _reset_after_the_response(email: str) -> None:
    """Look the address up and queue its reset e-mail only once the response has gone.

    The request itself does nothing that depends on the address (no lookup, no token, no
    outbox row), so its duration says nothing about which addresses have an account.
    """
    app = current_app._get_current_object()

    @after_this_request
    def reset_once_answered(response):
        response.call_on_close(lambda: _send_reset_in(app, email))
        return response


def _send_reset_in(app, email: str) -> None:
    with app.app_context():
        try:
            if services.send_password_reset_to(email):
                db.session.commit()
                deliver_if_committed()
        except Exception:  # the person already has their answer; nothing may surface now
            db.session.rollback()
            app.logger.exception("password reset after the response failed")


def _set_password_from_link(token: str, loader, template: str, done_message: str):
    try:
        user = loader(token)
    except services.InvalidLink as exc:
        return render_template("auth/invalid_link.html", expired=exc.expired), 410 if exc.expired else 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        _log_out()
        flash(done_message, "success")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, user=user), status


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_from_link(
        token,
        services.load_reset_token,
        "auth/reset_password.html",
        _("Votre mot de passe a été changé. Vous pouvez vous connecter."),
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_from_link(
        token,
        services.load_invitation_token,
        "auth/accept_invitation.html",
        _("Votre mot de passe est enregistré. Vous pouvez vous connecter."),
    )


@bp.route("/compte", methods=["GET", "POST"])
@login_required
def account():
    password_form = ChangePasswordForm(prefix="pw")
    language_form = LanguageForm(prefix="lang", language=current_user.locale or "fr")
    status = 200
    if request.method == "POST":
        if password_form.validate_on_submit():
            if verify_password(current_user.password_hash, password_form.current_password.data):
                user = current_user._get_current_object()
                remember = getattr(sessions.current_session(user), "remember", False)
                sessions.end_session(user)
                services.set_password(user, password_form.password.data)
                # Keep this device logged in, in a new session under the new session version.
                _log_in(user, remember=remember)
                flash(
                    _("Votre mot de passe a été changé. Vos autres appareils ont été déconnectés."),
                    "success",
                )
                return redirect(url_for("auth.account"))
            password_form.current_password.errors.append(_("Le mot de passe actuel est incorrect."))
        status = 422
    return (
        render_template("auth/account.html", password_form=password_form, language_form=language_form),
        status,
    )


@bp.route("/langue", methods=["POST"])
def set_language():
    form = LanguageForm(prefix="lang")
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
    return redirect(safe_local_path(request.form.get("next"), url_for("main.index")))
