"""Cross-cutting pieces of the core: middleware, the core's Celery tasks, checks."""
