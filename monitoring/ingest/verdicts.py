"""Whether pushed results pass, where the pushing tool did not say: plain data in, a bool out."""

from collections.abc import Mapping

# Measures where a smaller value is fairer (a difference) and where a larger one is (a ratio).
AT_MOST = frozenset({"demographic_parity_difference", "equalized_odds_difference"})
AT_LEAST = frozenset({"demographic_parity_ratio", "four_fifths_ratio"})


def fairness_passed(measures: Mapping[str, float | None], limits: Mapping[str, float]) -> bool:
    """Pass when every limited measure that was computed is within its limit.

    A limit on a measure the tool did not compute is not judged; a check with no measure under
    any limit does not pass, because it shows nothing.
    """
    judged = False
    for name, limit in limits.items():
        value = measures.get(name)
        if value is None:
            continue
        judged = True
        if (name in AT_MOST and abs(value) > limit) or (name in AT_LEAST and value < limit):
            return False
    return judged
