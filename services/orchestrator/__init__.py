"""The orchestrator: the source of truth and the conductor of distillation runs.

It owns the Postgres schema (datasets, problems, rationales, runs, rounds, labels, evaluations, jobs,
rejections), the run state machine, the background driver that advances runs by calling the teacher and
the student over HTTP, and the admin API.
"""
