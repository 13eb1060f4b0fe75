"""Helpers shared by the tests (one import style: ``from tests.support.x import y``)."""
