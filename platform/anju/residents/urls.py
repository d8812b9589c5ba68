"""The residents' portal routes (both languages): sign-in, their own pages, elder mode."""

from django.urls import path

from . import eldermode, views

app_name = "residents"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("me/", views.home, name="home"),
    path("me/household/", views.household, name="household"),
    path("me/messages/", views.messages_list, name="messages"),
    path("me/messages/<int:pk>/", views.message_detail, name="message"),
    path("elder-mode/<str:state>/", eldermode.switch, name="elder-mode"),
]
