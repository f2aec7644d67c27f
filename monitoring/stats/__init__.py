"""Monitoring arithmetic without Django: drift statistics, fairness figures, threshold checks."""
