"""Monitoring reads: the pages' data, what is in force for a model at an instant, observations."""
