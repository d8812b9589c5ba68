from django.db import models
from wagtail.models import Page


class Thing(models.Model):
    name = models.CharField("name", max_length=50)
    phone = models.CharField("phone", max_length=20, blank=True)

    def __str__(self):
        return self.name


class DummyPage(Page):
    parent_page_types = ["portal.HomePage"]
    template = "dummy_plugin/dummy_page.html"
