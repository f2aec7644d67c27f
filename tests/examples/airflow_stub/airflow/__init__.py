"""A stand-in for Airflow, which is not installed here: only the TaskFlow decorators."""
