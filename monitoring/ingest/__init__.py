"""Ingestion without Django: the bundle every tracker adapter produces, and metric frames."""
