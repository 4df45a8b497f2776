"""Authentication: Django's model backend, loading with the user what every request reads."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from peikao.core.models import USER_LINK


class AccountBackend(ModelBackend):
    """``ModelBackend`` whose session user comes with its region and its link (and the link's organisation, shown
    in the page header of every member's page): ``request.user.organization_id`` and ``person_id`` cost no query
    of their own, and a user without a link (a regulator) is known to have none."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related(f"{USER_LINK}__organization", "region").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
