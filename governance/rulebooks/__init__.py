"""Rulebooks: versioned rules data, drafts, impact preview and publishing."""
