"""Tests of the rhevm driver against the fake oVirt engine."""
