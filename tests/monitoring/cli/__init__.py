"""The attest CLI: unit tests, and its pushes against a live server."""
