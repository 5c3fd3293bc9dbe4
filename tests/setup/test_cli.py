"""The `bestellwerk` console script: Django's manage.py, hyphenated command names too."""

import pytest

from bestellwerk.__main__ import main
from bestellwerk.accounts.models import ApiToken, hash_token


def test_create_api_token_prints_a_working_token(admin_user, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["bestellwerk", "create-api-token", admin_user.username])
    main()
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.user == admin_user


def test_an_unknown_user_gets_an_error_and_no_token(db, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["bestellwerk", "create-api-token", "nobody"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    assert "No user named 'nobody'" in capsys.readouterr().err
    assert not ApiToken.objects.exists()
