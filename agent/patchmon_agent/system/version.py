"""Version ordering for kernel and package versions (RPM's rpmvercmp rules), so "362.24.1" sorts above "362.8.1"."""
from __future__ import annotations

import string

_ALNUM = frozenset(string.ascii_letters + string.digits)
_DIGITS = frozenset(string.digits)


def _skip_separators(text: str, i: int) -> int:
    while i < len(text) and text[i] not in _ALNUM and text[i] not in "~^":
        i += 1
    return i


def _segment(text: str, i: int, chars: frozenset[str]) -> tuple[str, int]:
    j = i
    while j < len(text) and text[j] in chars:
        j += 1
    return text[i:j], j


def _special(a: str, i: int, b: str, j: int, mark: str) -> int | None:
    """Order a `~` (before everything, even the end) or `^` (after the end, before anything else) at i/j."""
    a_mark, b_mark = i < len(a) and a[i] == mark, j < len(b) and b[j] == mark
    if not (a_mark or b_mark):
        return None
    if a_mark and b_mark:
        return 0
    if mark == "~":
        return -1 if a_mark else 1
    if i >= len(a):
        return -1
    if j >= len(b):
        return 1
    return 1 if b_mark else -1


def vercmp(a: str, b: str) -> int:
    """Compare two version strings; return -1, 0 or 1. Digit runs compare as numbers, a digit run beats letters."""
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        i, j = _skip_separators(a, i), _skip_separators(b, j)
        for mark in "~^":
            special = _special(a, i, b, j, mark)
            if special is not None:
                if special:
                    return special
                i, j = i + 1, j + 1
                break
        else:
            if i >= len(a) or j >= len(b):
                break
            numeric = a[i] in _DIGITS
            chars = _DIGITS if numeric else _ALNUM - _DIGITS
            left, i = _segment(a, i, chars)
            right, j = _segment(b, j, chars)
            if not right:
                return 1 if numeric else -1
            if numeric:
                left, right = left.lstrip("0"), right.lstrip("0")
                if len(left) != len(right):
                    return 1 if len(left) > len(right) else -1
            if left != right:
                return 1 if left > right else -1
    if i >= len(a) and j >= len(b):
        return 0
    return 1 if i < len(a) else -1


def evr_cmp(a: tuple[int, str, str], b: tuple[int, str, str]) -> int:
    """Compare (epoch, version, release) triples the way rpm orders packages."""
    if a[0] != b[0]:
        return 1 if a[0] > b[0] else -1
    return vercmp(a[1], b[1]) or vercmp(a[2], b[2])
