"""Amounts as the platforms that send major units write them: decimal strings."""

from __future__ import annotations


def major_units(minor: int, exponent: int) -> str:
    """``12345`` minor units with exponent 2 as ``"123.45"``, exact (no float on the way)."""
    value = str(minor).rjust(exponent + 1, "0")
    return value if exponent == 0 else f"{value[:-exponent]}.{value[-exponent:]}"
