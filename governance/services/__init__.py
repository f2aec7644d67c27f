"""Governance writes, one module per area (import the module: `from governance.services import raci`)."""
