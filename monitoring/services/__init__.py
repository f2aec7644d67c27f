"""Monitoring services: recording what pipelines and monitors report about a version."""
