"""Approvals: requests, sign-offs, conditions, the deployment gate and periodic reviews."""
