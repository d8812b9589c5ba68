from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path


def index(request):
    return TemplateResponse(request, "dummy_plugin/index.html")


def staff_only(request):
    return HttpResponse("staff only")


def broken(request):
    raise RuntimeError("this view is broken on purpose")


urlpatterns = [
    path("", index, name="index"),
    path("staff/", staff_only, name="staff"),
]
permissions = {"staff": "dummy_plugin.view_thing"}
