"""Wrong passwords slow down per account and per address, with a clear message, and the rightful
user gets in again once the (short) wait is over."""

from __future__ import annotations

import datetime as dt

from directory.accounts.tables import SignInFailure
from tests.conftest import run_async
from tests.samverkan.web.conftest import Client, make_account, sign_in


def _let_time_pass() -> None:
    """As if every wait were over (the waits are real seconds; the test does not sleep them)."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    run_async(SignInFailure.update({SignInFailure.blocked_until: past}, force=True))


def test_five_wrong_passwords_then_growing_waits(anonymous: Client) -> None:
    make_account("staff", "sara")
    for _ in range(5):
        assert sign_in(anonymous, "sara", "fel lösenord igen").status_code == 401
    sixth = sign_in(anonymous, "sara", "fel lösenord igen")
    assert sixth.status_code == 429
    assert sixth.headers["Retry-After"] == "15"
    assert "För många misslyckade inloggningar. Vänta 15 sekunder" in sixth.text
    # while the wait lasts even the right password is not checked
    assert sign_in(anonymous, "sara").status_code == 429
    _let_time_pass()
    seventh = sign_in(anonymous, "sara", "fel lösenord igen")
    assert seventh.headers["Retry-After"] == "30"  # each further failure doubles the wait
    _let_time_pass()
    assert sign_in(anonymous, "sara").status_code == 302
    # a success clears the account's count: the next mistake is free again
    anonymous.cookies.clear()
    assert sign_in(anonymous, "sara", "fel lösenord igen").status_code == 401


def test_one_address_trying_many_names_is_slowed_down(anonymous: Client) -> None:
    make_account("staff", "olle")
    for attempt in range(20):
        response = sign_in(anonymous, f"gissning{attempt}", "fel lösenord igen")
        assert response.status_code == 401, attempt
    assert sign_in(anonymous, "gissning-sista", "fel lösenord igen").status_code == 429
    # the address waits, for a name it never tried too
    assert sign_in(anonymous, "olle").status_code == 429
    _let_time_pass()
    assert sign_in(anonymous, "olle").status_code == 302
