"""Hostile card uploads are refused as card errors, never as crashes or huge allocations."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from personas.cards import MAX_CARD_PIXELS, read_card
from personas.errors import CardError


def test_deeply_nested_json_is_a_card_error() -> None:
    with pytest.raises(CardError, match="valid JSON"):
        read_card(b"[" * 200_000, max_bytes=1_000_000)


def test_png_that_inflates_past_the_pixel_limit_is_refused_before_decoding() -> None:
    side = int(MAX_CARD_PIXELS**0.5) + 1
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")  # a few KB on disk, millions of pixels
    with pytest.raises(CardError, match="pixels"):
        read_card(buffer.getvalue(), max_bytes=10_000_000)
