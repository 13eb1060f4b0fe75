"""What every part of the mock driver shares: its store and the signed-in user."""

from __future__ import annotations

from deltaflask.drivers import BaseDriver
from deltaflask.errors import AuthenticationFailure
from deltaflask.plugins.mock.blob_store import BlobStore
from deltaflask.plugins.mock.store import MockScope

#: the one account the mock cloud accepts (the original mock's)
MOCK_USER = "mockuser"
MOCK_PASSWORD = "mockpassword"


class MockBase(BaseDriver):
    """The base every mixin of the mock driver extends.

    ``store`` holds the cloud's entities and ``blobs`` its blobs and uploads
    (``MockDriver`` opens both, on files or in the database); :meth:`user`
    is the account the request acts as.
    """

    store: MockScope
    blobs: BlobStore

    def valid_credentials(self) -> bool:
        """Only ``mockuser`` / ``mockpassword`` are accepted."""
        creds = self._credentials
        return creds is not None and (creds.user, creds.password) == (
            MOCK_USER,
            MOCK_PASSWORD,
        )

    def user(self) -> str:
        """The user name, after checking the credentials (401 otherwise)."""
        creds = self.credentials
        if not self.valid_credentials():
            raise AuthenticationFailure()
        return creds.user
