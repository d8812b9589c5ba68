"""Portal pages, mounted by the platform at /services/employment/ (namespace "employment").

Every page here is public: residents read jobs and courses and apply without an
account. The job board itself is a Wagtail page (JobIndexPage) placed by staff.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("courses/", views.courses, name="courses"),
    path("jobs/<int:pk>/interest/", views.interest, name="interest"),
    path("subsidies/<slug:kind>/", views.apply_subsidy, name="subsidy"),
]
permissions = {}
