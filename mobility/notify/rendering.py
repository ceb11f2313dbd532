"""Messages rendered in the recipient's language, with who sends them and whom to call.

templates/notify/emails/<name>.txt: first line the subject, then the body (plain text).
templates/notify/sms/<name>.txt: the SMS text; without one, an SMS says the subject and the link.
Every e-mail gets templates/notify/emails/_footer.txt and an HTML part (layout.html) made
from the same text, so the two parts never say different things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from markupsafe import Markup, escape

LANGUAGES = ("fr", "en")
_URL = re.compile(r"(https?://[^\s<>\"]+)")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def language_of(language: str | None) -> str:
    language = (language or "").strip().lower()[:2]
    return language if language in LANGUAGES else current_app.config["BABEL_DEFAULT_LOCALE"]


def _babel_locale(language: str) -> str:
    # British formats for dates and numbers; the "en" catalogue serves en_GB (as the pages do).
    return "en_GB" if language == "en" else language


def _help_contact(context: dict) -> str:
    return context.get("association_contact") or current_app.config["NOTIFY_HELP_CONTACT"]


def render_email(template: str, language: str, context: dict) -> RenderedEmail:
    with force_locale(_babel_locale(language)):
        rendered = render_template(f"notify/emails/{template}.txt", **context)
        footer = render_template(
            "notify/emails/_footer.txt",
            help_contact=_help_contact(context),
            has_association=bool(context.get("association_contact")),
        )
    subject, _, body = rendered.strip().partition("\n")
    text = body.strip() + "\n\n-- \n" + footer.strip() + "\n"
    with force_locale(_babel_locale(language)):
        html = render_template(
            "notify/emails/layout.html",
            subject=subject.strip(),
            paragraphs=[_html_paragraph(p) for p in body.strip().split("\n\n")],
            footer=[_html_paragraph(p) for p in footer.strip().split("\n\n")],
            language=language,
        )
    return RenderedEmail(subject=subject.strip()[:200], text=text, html=html)


def _html_paragraph(text: str) -> Markup:
    parts = _URL.split(text.strip())
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(Markup('<a href="{0}">{0}</a>').format(part))
        else:
            out.append(escape(part).replace("\n", Markup("<br>\n")))
    return Markup("").join(out)


def render_sms(template: str, language: str, context: dict, subject: str) -> str:
    """The SMS text, cut to one SMS (SMS_MAX_LENGTH) with its link kept whole."""
    with force_locale(_babel_locale(language)):
        try:
            text = render_template(f"notify/sms/{template}.txt", **context).strip()
        except TemplateNotFound:
            text = subject
        signature = render_template("notify/sms/_signature.txt", help_contact=_help_contact(context)).strip()
    link = context.get("link")
    if link and link in text:
        text = text.replace(link, "").strip()
    return fit_sms(f"{text} {signature}".strip(), link, current_app.config["SMS_MAX_LENGTH"])


def fit_sms(text: str, link: str | None, limit: int) -> str:
    """One SMS at most: the words cut with an ellipsis, the link always whole at the end."""
    text = " ".join(text.split())
    tail = f" {link}" if link else ""
    if len(text) + len(tail) <= limit:
        return text + tail
    room = limit - len(tail) - 1  # the ellipsis
    if room <= 0:
        return (link or text)[:limit]
    cut = text[:room]
    if " " in cut and not text[room:room + 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…" + tail


def plain_context(context: dict) -> dict:
    """What the outbox keeps of the context: plain values only (links, counts, references)."""
    kept = {}
    for key, value in context.items():
        if isinstance(value, (str, int, float, bool)) and key not in ("name", "reason"):
            kept[key] = value
    return kept
