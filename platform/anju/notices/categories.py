"""Notice categories: the core's five, and those plugins add.

This layer cannot know about plugins; the plugin layer calls ``register_category`` for
each NoticeCategory a plugin declares (anju.plugins.registry).
"""

from django.utils.translation import gettext_lazy as _

POLICY = "policy"
PUBLIC_AFFAIRS = "public_affairs"
EMPLOYMENT = "employment"
SAFETY = "safety"
ACTIVITY = "activity"

_categories: dict[str, object] = {
    POLICY: _("Policy"),  # 政策
    PUBLIC_AFFAIRS: _("Public affairs"),  # 公告
    EMPLOYMENT: _("Employment"),  # 就业
    SAFETY: _("Safety"),  # 安全
    ACTIVITY: _("Activities"),  # 活动
}


def register_category(code: str, label) -> None:
    if not code or not code.replace("_", "").isalnum():
        raise ValueError(f"Notice category code {code!r} must be letters, digits and _")
    _categories.setdefault(code, label)


def categories() -> list[tuple[str, object]]:
    return list(_categories.items())


def label_of(code: str):
    return _categories.get(code, code)
