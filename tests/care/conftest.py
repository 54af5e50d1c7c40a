"""Care-plane fixtures (defined in :mod:`care`, shared by every care test).

Passwords: the production hasher is Argon2id at argon2-cffi's RFC 9106 low-memory profile
(64 MiB, 3 passes), about 0.1 s a hash on these cores; a seeded community has six users and
every signed-in client verifies one. Tests hash with argon2-cffi's CHEAPEST profile instead
(verification reads the cost from the hash, so sign-in checks the same code path). A test
marked ``real_password_hashing`` keeps the production hasher.
"""

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from ltc.care.auth import services as auth

from .care import app, care_url, community  # noqa: F401

_CHEAP = PasswordHasher.from_parameters(CHEAPEST)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(auth, "_hasher", _CHEAP)
