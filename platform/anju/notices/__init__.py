"""Notices (通知公告): policy, public-affairs, job, safety and activity notices as Wagtail
pages, their audience, and their delivery to every household (入户传达)."""
