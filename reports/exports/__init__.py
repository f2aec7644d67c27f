"""Registers as CSV and XLSX, model documentation and validation reports as DOCX."""
