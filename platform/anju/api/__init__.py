"""The REST API under /api/ (Django REST framework), its OpenAPI schema and docs, and
the Wagtail API v2 for headless clients of pages under /api/v2/."""
