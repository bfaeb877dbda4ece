"""Jobs: the rows that record every train, predict and evaluate request, and the rules that move them.

``models`` is the table and the status transitions, ``repository`` the queries (every change of status
is one conditional UPDATE), ``service`` the API's rules (submission, cancel, recovery of lost workers)
and ``runner`` the worker's side (claim, heartbeat, progress, finish). Celery tasks only call ``runner``.
"""
