"""Who may reach what: the role decorator every blueprint uses, and the customer's account scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Role


def roles_required(*roles: Role) -> Callable:
    """Signed-in users with one of ``roles`` pass; others get 403 (anonymous users: the sign-in page)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


INTERNAL_ROLES = (Role.STAFF, Role.INFOCENTRE, Role.SYSADMIN)
ADMIN_ROLES = (Role.INFOCENTRE, Role.SYSADMIN)
