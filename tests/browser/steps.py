"""What a person does in the browser, as the UI tests spell it out."""

from __future__ import annotations

from typing import Any


def api_json(page: Any, url: str) -> Any:
    """GET ``url`` as JSON with the page's credentials (not through the UI)."""
    response = page.request.get(url, headers={"Accept": "application/json"})
    assert response.ok, response.status
    return response.json()


def click_through(page: Any, locator: Any) -> int:
    """Click ``locator`` (a submit button) and return the status of the page
    it leads to."""
    with page.expect_navigation() as navigation:
        locator.click()
    return navigation.value.status


def fill_in(page: Any, typed: dict[str, str], chosen: dict[str, str]) -> None:
    """Type ``typed`` and pick ``chosen`` in the fields with those labels."""
    for label, text in typed.items():
        page.get_by_label(label).fill(text)
    for label, option in chosen.items():
        page.get_by_label(label).select_option(option)
