"""Registers as CSV and XLSX (written by governance.tables), model documentation and validation
reports as DOCX, and the download pages."""
