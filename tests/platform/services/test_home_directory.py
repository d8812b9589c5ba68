"""A published service form page shows in the home page's service directory."""

from anju.portal.site import ensure_home_page
from anju.services.models import ServiceFormPage


def test_published_form_pages_are_listed_on_the_home_page(world, built_service, client):
    home = ensure_home_page()
    page = home.add_child(
        instance=ServiceFormPage(
            title="我要报修", slug="repair", service=built_service, intro="水电"
        )
    )
    draft = home.add_child(
        instance=ServiceFormPage(title="草稿表单", slug="draft", service=built_service, live=False)
    )
    html = client.get("/").content.decode()
    assert "我要报修" in html and page.url in html
    assert draft.title not in html
    assert "/cases/track/" in html


def test_a_closed_service_leaves_the_directory(world, built_service, client):
    home = ensure_home_page()
    home.add_child(instance=ServiceFormPage(title="我要报修", slug="repair", service=built_service))
    built_service.is_active = False
    built_service.save()
    assert "我要报修" not in client.get("/").content.decode()
    assert client.get("/repair/").status_code == 404


def test_closing_a_service_refreshes_the_cached_home_page(world, built_service, client):
    home = ensure_home_page()
    home.add_child(instance=ServiceFormPage(title="我要报修", slug="repair", service=built_service))
    assert "我要报修" in client.get("/").content.decode()  # now cached for anonymous visitors
    built_service.is_active = False
    built_service.save()
    assert "我要报修" not in client.get("/").content.decode()
