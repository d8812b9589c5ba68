"""Message templates: a code ("<app label>.<what>"), a subject and a body.

Subject and body are ``str.format`` templates over the message's payload and may be lazy
translations (``gettext_lazy``): they are translated when a message is rendered, in the
message's language, so the template text is looked up in the catalogue at send time.

The core registers its own templates here (``CORE_TEMPLATES``, at app start); plugins
declare theirs as ``NotificationTemplate`` and the plugin layer passes each to
``register_template``. This module never imports the plugin layer.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

from .exceptions import TemplateError

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")


@dataclass(frozen=True)
class Template:
    code: str
    subject: Any
    body: Any

    def placeholders(self) -> set[str]:
        """The top-level payload keys the subject and body use."""
        names = set()
        for text in (self.subject, self.body):
            for _literal, field, _spec, _conv in string.Formatter().parse(str(text)):
                if field:
                    names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
        return names


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


_templates: dict[str, Template] = {}


def register_template(code: str, subject: Any, body: Any) -> Template:
    """Register a template; registering the same code again with the same text is a
    no-op, with different text an error (two apps would fight over one code)."""
    if not CODE_RE.match(code or ""):
        raise ValueError(
            f"Notification template code {code!r} must look like '<app label>.<what>' "
            "(lower-case letters, digits and _)."
        )
    template = Template(code, subject, body)
    existing = _templates.get(code)
    if existing is not None:
        if (str(existing.subject), str(existing.body)) != (str(subject), str(body)):
            raise ValueError(f"Notification template {code!r} is already registered.")
        return existing
    _check_syntax(template)
    _templates[code] = template
    return template


def register_declared(template) -> Template:
    """Register an object with ``code``, ``subject`` and ``body`` attributes (a plugin's
    NotificationTemplate: the plugin layer calls this, this layer never imports it)."""
    return register_template(template.code, template.subject, template.body)


def unregister_template(code: str) -> None:
    """For tests."""
    _templates.pop(code, None)


def get_template(code: str) -> Template:
    try:
        return _templates[code]
    except KeyError:
        raise TemplateError(f"There is no notification template {code!r}.") from None


def templates() -> dict[str, Template]:
    return dict(_templates)


def render(code: str, payload: dict | None, language: str | None = None) -> Rendered:
    """Subject and body of template ``code`` filled in from ``payload``, in ``language``
    (the site's default language if not given).

    Raises TemplateError, never KeyError or the like: an unknown code, a payload that
    lacks a value the template needs, or a value that does not fit its format spec.
    """
    template = get_template(code)
    payload = payload or {}
    with translation.override(language or settings.LANGUAGE_CODE):
        return Rendered(
            subject=_fill(template, "subject", str(template.subject), payload),
            body=_fill(template, "body", str(template.body), payload),
        )


def _fill(template: Template, part: str, text: str, payload: dict) -> str:
    try:
        return text.format_map(payload)
    except KeyError as exc:
        have = ", ".join(sorted(payload)) or "nothing"
        raise TemplateError(
            f"Template {template.code!r} needs {exc.args[0]!r} in its {part}, which the "
            f"payload does not have (it has: {have})."
        ) from None
    except (IndexError, AttributeError, ValueError, TypeError) as exc:
        raise TemplateError(
            f"Template {template.code!r} cannot render its {part} with this payload: {exc}"
        ) from None


def _check_syntax(template: Template) -> None:
    for part in ("subject", "body"):
        try:
            list(string.Formatter().parse(str(getattr(template, part))))
        except ValueError as exc:
            raise ValueError(
                f"Notification template {template.code!r}: its {part} is not a valid "
                f"str.format template: {exc}"
            ) from None


# --- the core's own templates ----------------------------------------------------------

PLAIN = "notify.plain"

CORE_TEMPLATES = (
    # Free text written by staff: the payload carries the subject and the body.
    Template(PLAIN, "{subject}", "{body}"),
)


def register_core_templates() -> None:
    for template in CORE_TEMPLATES:
        register_template(template.code, template.subject, template.body)
