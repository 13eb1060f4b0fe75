"""The sample driver: realms only, no credentials needed."""

from deltaflask.drivers import BaseDriver
from deltaflask.models import Realm


class SampleDriver(BaseDriver):
    """A driver with a single realm."""

    name = "sample"
    display_name = "Sample"

    def realms(self, filters):
        """One realm called ``sample-zone``."""
        realm = Realm("sample-zone", "Sample Zone")
        wanted = filters.get("id")
        return [realm] if wanted in (None, realm.id) else []
