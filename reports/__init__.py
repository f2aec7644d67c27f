"""Reports: evidence packs (packs/), the executive report and dashboard (executive/), registers
and documents (exports/), the figures' arithmetic (kpis/), and what packs and executive reports
share while drawn in the background (drawing.py)."""
