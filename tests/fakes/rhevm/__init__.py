"""A fake oVirt engine (SSO + API v4 XML) the rhevm driver tests talk to."""
