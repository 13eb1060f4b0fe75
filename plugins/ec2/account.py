"""Credentials: the access key id and secret of HTTP Basic, checked lazily."""

from __future__ import annotations

from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import Forbidden
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.errors import aws_errors


class Ec2Account(Ec2Base):
    """Credential checks of the ec2 driver (mixed into ``Ec2Driver``)."""

    def valid_credentials(self) -> bool:
        """Whether AWS accepts the keys; asks AWS only when there are some."""
        creds = self._credentials
        if creds is None or not creds.user or not creds.password:
            return False
        try:
            with aws_errors():
                self.ec2.describe_availability_zones()
        except (AuthenticationFailure, Forbidden):
            return False
        return True
