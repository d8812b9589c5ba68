"""Portal pages, mounted by the platform at /services/disputes/ (namespace "disputes").
The report form itself is the core's (``/services/disputes/forms/report/``)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.index, name="index")]
permissions = {}
