"""Access: RACI assignments, API tokens and service accounts."""
