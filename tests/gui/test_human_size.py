"""Sizes in the Models tab count as the docs and file managers do: 1 MB = 1,000,000 bytes."""

from __future__ import annotations

import pytest

from gui.panels.library_panel import human_size


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (9_800_000, "9.8 MB"),
        (2_500_000_000, "2.5 GB"),
    ],
)
def test_sizes_are_decimal(n, text):
    assert human_size(n) == text
