from celery import shared_task


@shared_task(name="dummy_plugin.tidy_things")
def tidy_things() -> int:
    from .models import Thing

    return Thing.objects.filter(name="").delete()[0]
