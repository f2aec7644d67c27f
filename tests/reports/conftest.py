"""What every reports test that stores a PDF needs: files in a temporary folder."""

import pytest


@pytest.fixture
def pack_media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
