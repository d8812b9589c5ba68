"""Portal pages, mounted by the platform at /services/safety/ (namespace "safety"):
the gas-safety page. Public; the service forms ("connect", "report") are served by the
platform under /services/safety/forms/<slug>/."""

from django.urls import path

from . import views

urlpatterns = [path("", views.index, name="index")]
permissions = {}
