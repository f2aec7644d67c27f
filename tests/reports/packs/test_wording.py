"""Codes inside stored text read as words in the pack."""

import pytest

from reports.packs.wording import readable


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (
            "Monitoring: critical breach of drift:max_psi",
            "Monitoring: critical breach of Max PSI (drift)",
        ),
        (
            "Score 4.5 is at or above the tier_1 threshold",
            "Score 4.5 is at or above the Tier 1 (high) threshold",
        ),
        ("Exposure: 'very_high' (Firm-wide)", "Exposure: Very high (Firm-wide)"),
        (
            "Calibration drift in the self-employed segment",
            "Calibration drift in the self-employed segment",
        ),
    ],
)
def test_codes_in_text_read_as_their_labels(stored: str, shown: str) -> None:
    assert readable(stored) == shown
