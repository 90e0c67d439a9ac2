"""Name similarity that works for Chinese (character n-grams) and English (words)."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import pairwise

_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1 << 16)
def grams(name: str) -> Counter[str]:
    """Character unigrams and bigrams of the CJK text, plus lower-cased words.

    Cached: the same names (a city map's objectives) are compared again and again. The
    result is shared, so callers must not change it.

    >>> sorted(grams("培育人力"))
    ['人', '人力', '力', '培', '培育', '育', '育人']
    """
    text = name.lower()
    chars = _CJK.findall(text)
    found: Counter[str] = Counter(chars)
    found.update(a + b for a, b in pairwise(chars))
    found.update(_WORD.findall(text))
    return found


@lru_cache(maxsize=1 << 20)
def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two names' n-grams, 0 (nothing shared) to 1 (same grams).

    Cached, as agencies write the same link names against the same city map.

    Word order matters little, as planners reorder words freely:

    >>> round(similarity("優秀人力培育", "培育優秀人力"), 2)
    0.91
    >>> similarity("營造安全環境", "營造安全環境")
    1.0
    """
    shared, total = shared_grams(a, b)
    return 2 * shared / total if total else 0.0


def shared_grams(a: str, b: str) -> tuple[int, int]:
    """How many n-grams the two names share, and how many they have together.

    >>> shared_grams("營造安全", "安全環境")
    (3, 14)
    """
    ga, gb = grams(a), grams(b)
    return sum((ga & gb).values()), sum(ga.values()) + sum(gb.values())


@lru_cache(maxsize=1 << 20)
def similarity_points(a: str, b: str, scale: int) -> int:
    """:func:`similarity` in whole points out of ``scale``, rounded half up.

    Integers, so that a sum of points is exact and two candidates that score the same in
    one engine score the same in every other (the Cypher twins compute it alike).

    >>> similarity_points("優秀人力培育", "培育優秀人力", 1000)
    909
    """
    shared, total = shared_grams(a, b)
    return (2 * scale * shared + total // 2) // total if total else 0
