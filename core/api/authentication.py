"""`Authorization: Token <key>` against the portal's own expiring tokens (`core.models.ApiToken`).

DRF's header parsing and its 401 answer (with `WWW-Authenticate: Token`) are kept; only the lookup
is the portal's: by the key's digest, refused once the token has expired or its user is disabled.
A subclass of DRF's class, so drf-spectacular still describes it as `tokenAuth`.
"""

from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from core.models import ApiToken

INVALID = "令牌无效或已被撤销,请重新获取令牌。"
EXPIRED = "令牌已过期,请重新获取令牌。"
DISABLED = "该账号已停用。"


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = ApiToken.find(key)
        if token is None:
            raise AuthenticationFailed(INVALID, code="token_invalid")
        if token.expired:
            raise AuthenticationFailed(EXPIRED, code="token_expired")
        if not token.user.is_active:
            raise AuthenticationFailed(DISABLED, code="user_inactive")
        token.touch()
        return token.user, token
