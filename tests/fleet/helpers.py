from __future__ import annotations

import html
import re


def text_of(response) -> str:
    """The page as a person reads it: entities decoded, tags and extra spaces removed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).replace("\u202f", " ").replace("\u00a0", " ")


def field_error(response, field_id: str) -> str:
    """The error message shown next to a field (empty when there is none)."""
    body = response.get_data(as_text=True)
    match = re.search(
        rf'<p class="error-message" id="{re.escape(field_id)}-error">(.*?)</p>', body, re.DOTALL
    )
    if not match:
        return ""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()
