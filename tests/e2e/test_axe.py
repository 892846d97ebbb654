"""The accessibility helper itself: it must pass a sound page and fail a broken one."""

import pytest

from .axe import assert_accessible


def test_assert_accessible_fails_on_serious_violations(page):
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, context="deliberately broken page")

    message = str(failure.value)
    assert "deliberately broken page" in message
    assert "image-alt [critical]" in message
    assert "label [critical]" in message
    assert "html-has-lang [serious]" in message
    assert "at img:" in message


def test_assert_accessible_passes_a_sound_page(page):
    page.set_content(
        "<!doctype html><html lang='en'><head><title>Sound page</title></head><body>"
        "<main><h1>Sound page</h1><img src='x.png' alt='A knee stretch'>"
        "<label for='name'>Name</label><input id='name' type='text'></main></body></html>"
    )

    assert_accessible(page, context="sound page")
