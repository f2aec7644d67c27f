"""Reports: evidence packs and executive reports (issue 7)."""
