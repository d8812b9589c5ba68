"""Replace Wagtail's placeholder "Welcome" page with the portal's HomePage and point the
default Site at it, so a fresh install serves the portal at "/" (Wagtail's own
project-template pattern, with historical models only)."""

from django.db import migrations

TITLE = "社区首页"


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("portal.HomePage")

    if HomePage.objects.exists():
        return
    placeholder_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    # Deleting the placeholder also deletes the Site pointing at it (CASCADE).
    Page.objects.filter(content_type=placeholder_type, depth=2, slug="home").delete()
    if Page.objects.filter(path="00010001").exists():
        return  # someone built their own tree here: leave it alone
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="portal")
    home = HomePage.objects.create(
        title=TITLE, draft_title=TITLE, slug="home", content_type=home_type,
        path="00010001", depth=2, numchild=0, url_path="/home/",
        locale=Locale.objects.order_by("pk").first(),
    )
    Page.objects.filter(depth=1).update(numchild=1)
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True
        )


def remove_home_page(apps, schema_editor):
    apps.get_model("portal.HomePage").objects.filter(depth=2, slug="home").delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
