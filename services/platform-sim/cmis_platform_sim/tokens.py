"""Which tokens the simulator accepts. Deterministic and documented so the demo seed and
tests can make credentials that work:

* an access token is valid when it starts with ``sim-``; if it contains ``-exp<epoch>``
  it expires at that epoch second (``sim-demo`` never expires);
* a refresh token is valid when it starts with ``sim-`` (e.g. ``sim-refresh-demo``);
* a refresh token starting with ``sim-rotating-`` rotates, as Google's and other providers'
  rotating grants do: each refresh answers a new ``sim-rotating-<platform>-<n>`` refresh
  token and the one used is refused (``invalid_grant``) from then on;
* the token endpoints mint ``sim-<platform>-exp<now+3600>-<n>`` (``expires_in`` 3600);
* an ``auth_revoked`` fault refuses both kinds for its platform/account; a ``token_expired``
  fault treats every access token not minted after the fault was set as expired.
"""

from __future__ import annotations

import itertools
import re
import time
from enum import Enum

_EXPIRY = re.compile(r"-exp(\d+)")
ROTATING_PREFIX = "sim-rotating-"


class TokenState(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


class TokenBook:
    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._minted: dict[str, int] = {}
        self._used_rotating: set[str] = set()

    def mint(self, platform: str, lifetime_s: int = 3600) -> str:
        serial = next(self._counter)
        token = f"sim-{platform}-exp{int(time.time()) + lifetime_s}-{serial}"
        self._minted[token] = serial
        return token

    def serial(self) -> int:
        """A marker: tokens minted after this call have a higher serial."""
        return next(self._counter)

    def minted_after(self, token: str, serial: int) -> bool:
        return self._minted.get(token, 0) > serial

    @staticmethod
    def check_access(token: str | None) -> TokenState:
        if not token or not token.startswith("sim-"):
            return TokenState.INVALID
        match = _EXPIRY.search(token)
        if match and int(match.group(1)) < time.time():
            return TokenState.EXPIRED
        return TokenState.VALID

    def refresh_token_ok(self, token: str | None) -> bool:
        return bool(token) and str(token).startswith("sim-") and token not in self._used_rotating

    def rotate(self, platform: str, used: str | None) -> str | None:
        """The next refresh token of a rotating grant (None: the grant does not rotate)."""
        if not used or not used.startswith(ROTATING_PREFIX):
            return None
        self._used_rotating.add(used)
        return f"{ROTATING_PREFIX}{platform}-{next(self._counter)}"
