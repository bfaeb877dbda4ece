"""The admin API's bearer-token check (``Authorization: Bearer <admin_token>``).

The token lives in the settings as a ``SecretStr``; it is compared in constant time and never logged or
echoed. A missing or wrong token is a 401 in the shared error envelope.
"""

from __future__ import annotations

import hmac

from fastapi import Depends, Request

from fdd_web.errors import Unauthorized


def require_admin(request: Request) -> None:
    """Raise ``Unauthorized`` unless the request carries the admin bearer token."""
    expected = request.app.state.settings.admin_token.get_secret_value().encode()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("missing bearer token: send 'Authorization: Bearer <admin token>'")
    if not hmac.compare_digest(token.strip().encode(), expected):
        raise Unauthorized("invalid admin token")


AdminOnly = Depends(require_admin)
