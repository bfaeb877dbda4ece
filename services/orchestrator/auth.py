"""The admin API's bearer-token check (``Authorization: Bearer <admin_token>``).

The header is read and the token compared by the same functions as the services' token
(``fdd_web.auth.bearer_token``, ``token_matches``: constant time); only the token and the messages differ.
The token lives in the settings as a ``SecretStr`` and is never logged or echoed. A missing or wrong token
is a 401 in the shared error envelope.
"""

from __future__ import annotations

from fastapi import Depends, Request

from fdd_web.auth import bearer_token, token_matches
from fdd_web.errors import Unauthorized


def require_admin(request: Request) -> None:
    """Raise ``Unauthorized`` unless the request carries the admin bearer token."""
    presented = bearer_token(request.headers.get("authorization", ""))
    if presented is None:
        raise Unauthorized("missing bearer token: send 'Authorization: Bearer <admin token>'")
    if not token_matches(presented, request.app.state.settings.admin_token):
        raise Unauthorized("invalid admin token")


AdminOnly = Depends(require_admin)
