"""Password hashing (scrypt) and the password policy.

Hashes are ``scrypt$N$r$p$salt$hash``: the parameters are stored with each hash, so a hash made
with older parameters still verifies, and :func:`needs_rehash` tells the sign-in to store a new
one. The cost is OWASP's current recommendation for scrypt (Password Storage Cheat Sheet:
N=2^17, r=8, p=1, about 128 MiB per hash); ``SAMVERKAN_SCRYPT_N`` may lower it (the test suite
does, to stay fast) but never below N=2^14.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from directory.core.errors import N_, InvalidField
from directory.core.settings import get_settings

SCRYPT_R, SCRYPT_P = 8, 1
MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn's "safely unguessable: moderate protection from offline attacks"
# Words zxcvbn's English lists lack but a Swedish municipality's guessers would try first.
LOCAL_WORDS = (
    "samverkan",
    "lösenord",
    "losenord",
    "sommar",
    "vinter",
    "hösten",
    "våren",
    "kommun",
    "kommunen",
    "tyresö",
    "tyreso",
    "polisen",
    "sverige",
    "stockholm",
    "välkommen",
    "hemligt",
)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    memory = 128 * n * r * p
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=memory + 2**20
    )


def hash_password(password: str) -> str:
    """A hash with a fresh 16-byte salt at the configured parameters."""
    n = get_settings().scrypt_n
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, SCRYPT_R, SCRYPT_P, 32)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a :func:`hash_password` value."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p), len(expected) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than today's."""
    parts = stored.split("$")
    wanted = ["scrypt", str(get_settings().scrypt_n), str(SCRYPT_R), str(SCRYPT_P)]
    return parts[:4] != wanted


@functools.cache
def dummy_hash() -> str:
    """A hash to check against when the account is unknown, so timing reveals no names."""
    return hash_password(secrets.token_hex(8))


def check_strength(password: str, *personal: str) -> None:
    """Raises :class:`InvalidField` for a short password, or one that is common, a keyboard or
    date pattern, or built from the account's own name or address (zxcvbn's estimate)."""
    if len(password) < MIN_LENGTH:
        raise InvalidField(
            "password", N_("must be at least %(min)s characters"), {"min": MIN_LENGTH}
        )
    from zxcvbn import zxcvbn  # its word lists hold 13 MB: loaded where passwords are set

    inputs = [part for value in personal if value for part in (value, *value.split("@"))]
    result = zxcvbn(password[:100], user_inputs=[*inputs, *LOCAL_WORDS])
    if result["score"] < MIN_SCORE:
        raise InvalidField(
            "password",
            N_("is too easy to guess (a common word, name, date or pattern); use unrelated words"),
        )
