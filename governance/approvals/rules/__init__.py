"""Approval workflow rules as plain Python: states, sign-offs, gate policies, approval decay.

No Django here (import-linter checks it): the approvals services feed these functions plain data and store
what they return.
"""
