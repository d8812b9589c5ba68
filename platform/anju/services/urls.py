"""Portal routes of the services engine, mounted at /cases/ (in both languages)."""

from django.urls import path

from . import views

app_name = "anju_services"

urlpatterns = [
    path("track/", views.track, name="track"),
    # The CSRF token and one-time key of a cached service form (form_token.js).
    path("form-token/", views.form_token, name="form-token"),
    path("mine/", views.my_cases, name="mine"),
    path("mine/<str:reference>/", views.my_case, name="my-case"),
]
