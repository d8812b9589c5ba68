from anju.plugins import NoticeCategory, NotificationTemplate

notice_categories = [NoticeCategory("dummy", "Dummy notices")]
notification_templates = [
    NotificationTemplate("dummy_plugin.thing_ready", "Your thing", "{name}, your thing is ready.")
]
