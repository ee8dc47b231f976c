import io

import pytest
from django.core.management import CommandError, call_command

from communities.models import Community


def test_refuses_without_debug_unless_forced(db, settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path  # the demo's minutes file is written there, not into ./var
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Community.objects.exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert Community.objects.exists()
