"""Stored codes inside text, read as words: a rule's rationale, a monitoring finding's title, an
alert, an audit target. The record keeps the text as stored; only the PDF reads it this way."""

import re

from governance.labels import label_for
from monitoring.stats.thresholds import SIGNALS

CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
# A monitoring policy's key, "fairness:four_fifths_ratio" (a scope may follow: ":income").
POLICY_KEY = re.compile(rf"\b({'|'.join(SIGNALS)}):([a-z0-9_]+)")
QUOTED = re.compile(r"'([a-z0-9_]+)'")


def readable(text: str) -> str:
    """`text` with each policy key and snake_case code in it replaced by its label."""
    text = POLICY_KEY.sub(lambda m: f"{label_for(m.group(2))} ({m.group(1)})", text)
    return CODE.sub(lambda m: label_for(m.group(0)), QUOTED.sub(r"\1", text))
