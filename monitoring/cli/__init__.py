"""The `attest` command line: pushes a pipeline's artifacts to Attest and asks the gate.

Runs in CI and training jobs without the server's settings, so nothing here imports Django.
The functions in `monitoring.cli.commands` are the same pushes for Python callers.
"""
