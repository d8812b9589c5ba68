"""How API clients prove who they are.

The API is used from the portal and the admin with their session cookie. DRF's own
SessionAuthentication has no challenge to send, so an anonymous call to a protected
endpoint got 403 ("you may not"), where HTTP says 401 ("say who you are") with a
``WWW-Authenticate`` header. This one answers 401 with a challenge naming the session
and where to sign in; a signed-in user without the permission still gets 403.
"""

from drf_spectacular.authentication import SessionScheme as _SpectacularSessionScheme
from rest_framework import authentication


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate_header(self, request):
        return 'Session realm="anju", login="/admin/login/"'


class SessionScheme(_SpectacularSessionScheme):
    """The schema describes it as the session cookie, as for DRF's own class."""

    target_class = "anju.core.authentication.SessionAuthentication"
