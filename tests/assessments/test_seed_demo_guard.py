import io

import pytest
from django.core.management import CommandError, call_command

from communities.models import Community


def test_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Community.objects.exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert Community.objects.exists()
