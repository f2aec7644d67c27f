"""Attest's Django project and governance domain."""

from governance.celery import app as celery_app

__all__ = ["celery_app"]
