"""The `bestellwerk` console script: Django's manage.py, hyphenated command names too."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command, get_commands

from bestellwerk.__main__ import command_argv
from bestellwerk.accounts.models import ApiToken, hash_token


def test_hyphenated_command_names_reach_django_commands():
    argv = command_argv(["bestellwerk", "create-api-token", "anna-maria", "--name", "ci-bot"])
    # Only the command name changes; its arguments stay as typed
    assert argv == ["bestellwerk", "create_api_token", "anna-maria", "--name", "ci-bot"]
    assert argv[1] in get_commands()
    assert command_argv(["bestellwerk", "--version"]) == ["bestellwerk", "--version"]
    assert command_argv(["bestellwerk"]) == ["bestellwerk"]


def test_create_api_token_prints_a_working_token(admin_user):
    out = StringIO()
    call_command("create_api_token", admin_user.username, stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.objects.get(key_hash=hash_token(raw)).user == admin_user


def test_an_unknown_user_gets_an_error_and_no_token(db):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("create_api_token", "nobody")
    assert not ApiToken.objects.exists()
