from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
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

from mobility.auth import services
from mobility.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
)
from mobility.auth.passwords import verify_password
from mobility.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _failed_login(response) -> bool:
    # Only failed attempts count towards throttling; a successful login redirects.
    return response.status_code != 302


def _login_account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a crafted link cannot send people elsewhere after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    methods=["POST"],
    deduct_when=_failed_login,
    scope="login-ip",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_login_account_key,
    methods=["POST"],
    deduct_when=_failed_login,
    scope="login-account",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            next_url = _safe_next(request.args.get("next"))
            # A fresh session on login (no fixation): keep only the chosen language.
            language = session.get("language")
            session.clear()
            if language:
                session["language"] = language
            login_user(user, remember=form.remember.data)
            session.permanent = True
            return redirect(next_url or url_for("main.home"))
        form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("main.index"))


@bp.route("/deconnexion-partout", methods=["POST"])
@login_required
def logout_everywhere():
    current_user.revoke_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté de tous vos appareils."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], scope="forgot-ip")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.active:
            services.send_password_reset(user)
            db.session.commit()
        # Same answer whether the account exists or not: nobody learns who has one.
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


def _set_password_from_link(token: str, loader, template: str, done_message: str):
    try:
        user = loader(token)
    except services.InvalidLink as exc:
        return render_template("auth/invalid_link.html", expired=exc.expired), 410 if exc.expired else 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        logout_user()
        session.clear()
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
                services.set_password(current_user, password_form.password.data)
                db.session.commit()
                # Keep this device logged in under the new session version.
                login_user(current_user._get_current_object())
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
    target = _safe_next(request.form.get("next")) or url_for("main.index")
    return redirect(target)
