"""Monitoring: metrics, drift and fairness results, thresholds and alerts (issues 5 and 6)."""
