"""Risk: assessments (scoping, tiering, the EU AI Act), obligations and their evidence."""
