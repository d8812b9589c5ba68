"""Portal pages, mounted by the platform at /services/elderly/ (namespace "elderly").
All public: elders and their families book without an account, identified by name,
address and the last four digits of the phone on record."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("book/", views.book, name="book"),
    path("cancel/", views.cancel, name="cancel"),
    path("activities/", views.activity_list, name="activities"),
]
permissions = {}
