"""Portal pages, mounted by the platform at /services/classroom/ (namespace "classroom").
The enrolment form is the engine's service form: /services/classroom/forms/enrol/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("attendance/", views.attendance, name="attendance"),
    path("mine/", views.mine, name="mine"),
]
permissions = {}
