"""Counted words: "1 problem", "2 problems", chosen by the number."""

from __future__ import annotations


def counted(n: int, one: str, other: str) -> str:
    """`one` when n is 1, else `other`; `{n}` in the chosen form is replaced by the
    number, and a form without it is preceded by the number ("3 operations")."""
    form = one if n == 1 else other
    return form.replace("{n}", str(n)) if "{n}" in form else f"{n} {form}"
