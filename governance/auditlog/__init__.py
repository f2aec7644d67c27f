"""The audit log: its tables, pages, API and the scheduled integrity check."""
