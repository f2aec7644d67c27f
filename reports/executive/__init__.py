"""The monthly executive report and dashboard: figures (selectors), drawing (render), asking,
storing and e-mailing (services), pages (views), background work (tasks)."""
