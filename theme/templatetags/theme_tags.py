from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The other languages of the current page as {code, name, url} for the switch.

    Portal URLs carry their language ("/" is Chinese, "/en/" English), so the switch is a
    plain link: no form, no cookie, nothing that stops the page being cached.
    """
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(path, code),
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]
