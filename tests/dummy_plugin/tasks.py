from celery import shared_task


@shared_task(name="dummy_plugin.tidy_things")
def tidy_things() -> int:
    from .models import Thing

    return Thing.objects.filter(name="").delete()[0]


@shared_task(name="dummy_plugin.database_backend")
def database_backend() -> int:
    """The PostgreSQL backend serving this worker's connection (test of reuse)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]
