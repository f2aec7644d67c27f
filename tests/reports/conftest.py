"""What reports tests share: files in a temporary folder, and the shipped rulebooks."""

import pytest

from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook


@pytest.fixture
def pack_media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def load_rulebooks() -> None:
    """The shipped rulebooks: `migrate` loaded them into the test database, so they are loaded
    again only where a transactional test's flush emptied the table. (load_shipped re-reads and
    hashes every file even when it has nothing to add: about half a second a fixture.)"""
    if not Rulebook.objects.exists():
        rulebooks.load_shipped()
