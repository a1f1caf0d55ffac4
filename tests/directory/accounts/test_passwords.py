"""The password policy, scrypt at OWASP's cost, and the rehash at sign-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from directory.accounts import passwords
from directory.accounts.service import create_account, principal_for_password, set_password
from directory.accounts.tables import Account
from directory.core.errors import InvalidField
from directory.core.settings import get_settings, load_settings
from tests.conftest import run_async


@pytest.fixture
def scrypt_cost(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Lets a test change ``SAMVERKAN_SCRYPT_N``; the suite's own value comes back after."""
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_default_cost_is_owasps_scrypt_recommendation(scrypt_cost: pytest.MonkeyPatch) -> None:
    scrypt_cost.delenv("SAMVERKAN_SCRYPT_N")
    assert load_settings().scrypt_n == 2**17
    get_settings.cache_clear()
    stored = passwords.hash_password("kaffe och kanelbullar")
    assert stored.startswith("scrypt$131072$8$1$")
    assert passwords.password_matches("kaffe och kanelbullar", stored)
    assert not passwords.password_matches("kaffe och kanelbulle", stored)
    scrypt_cost.setenv("SAMVERKAN_SCRYPT_N", "1000")
    with pytest.raises(ValueError, match="SAMVERKAN_SCRYPT_N"):
        load_settings()


@pytest.mark.parametrize(
    "password",
    [
        "kort",
        "Password123456",
        "qwertyuiop123",
        "lösenord2024!",
        "Sommar2024!",
        "samverkan123",
        "anna.berg1985",
    ],
)
def test_common_patterned_and_personal_passwords_are_refused(password: str) -> None:
    run_async(create_account("anna.berg", "staff", "Anna Berg", "anna.berg@tyreso.se"))
    with pytest.raises(InvalidField) as refused:
        run_async(set_password("anna.berg", password))
    assert refused.value.field == "password"
    assert run_async(Account.select(Account.password_hash).first())["password_hash"] == ""


def test_a_passphrase_of_unrelated_words_is_accepted() -> None:
    run_async(create_account("anna.berg", "staff", "Anna Berg"))
    run_async(set_password("anna.berg", "murbruk fjäril tåg ost"))
    assert run_async(principal_for_password("anna.berg", "murbruk fjäril tåg ost")) is not None


def test_a_sign_in_rehashes_a_password_stored_at_an_older_cost(
    scrypt_cost: pytest.MonkeyPatch,
) -> None:
    run_async(create_account("olle", "staff"))
    run_async(set_password("olle", "murbruk fjäril tåg ost"))
    old = run_async(Account.select(Account.password_hash).first())["password_hash"]
    assert old.startswith("scrypt$16384$")
    scrypt_cost.setenv("SAMVERKAN_SCRYPT_N", str(2**15))
    get_settings.cache_clear()
    assert passwords.needs_rehash(old)
    assert run_async(principal_for_password("olle", "fel lösenord")) is None
    assert run_async(Account.select(Account.password_hash).first())["password_hash"] == old
    assert run_async(principal_for_password("olle", "murbruk fjäril tåg ost")) is not None
    new = run_async(Account.select(Account.password_hash).first())["password_hash"]
    assert new.startswith("scrypt$32768$8$1$") and not passwords.needs_rehash(new)
    assert run_async(principal_for_password("olle", "murbruk fjäril tåg ost")) is not None
