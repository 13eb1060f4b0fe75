"""Fake cloud services that speak a real wire protocol, for driver tests."""
