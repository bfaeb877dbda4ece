"""The background driver: it advances runs through their stages by calling the teacher and the student.

``loop`` claims runs with a lease (safe with several orchestrator replicas) and calls one stage step
at a time; ``stages`` holds one module per stage (init, train, evaluate, classify, generate), each
idempotent with its progress in the database; ``clients`` builds the typed HTTP clients; ``jobs``
submits and follows student jobs; ``keys`` derives the deterministic ids and sampling seeds that make
a crash and restart free of repeated work. The schema, the state machine and the admin API belong to
``orchestrator.runs`` / ``problems`` / ``datasets``.
"""
