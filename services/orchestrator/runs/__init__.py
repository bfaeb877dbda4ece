"""Runs: their configuration, status and stage pointer, rounds, evaluations, student jobs and work items."""
