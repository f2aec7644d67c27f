"""Risk classification as pure computation: answers and rulebook data in, outcomes out.

No Django here (import-linter keeps it so). The Django layer (governance.risk.services) loads
rulebooks from governance/rulebooks/data/*/*.yaml into the database as versioned data, hands their
content to these functions as plain dicts, and stores what they return.
"""
