"""The background driver: it advances runs through their stages by calling the teacher and the student.

``loop`` claims runs with a lease (safe with several orchestrator replicas) and calls one stage step
at a time; ``stages`` holds one module per stage (init, train, evaluate, classify, generate), each
idempotent with its progress in the database and none importing another. What the stages share:
``teacher_stage`` (the chunked teacher loop of INIT and GENERATE, over ``work_items``), ``jobs``
(submitting, following and typing student jobs), ``rounds`` (what a stage records on the run's and
round's rows), ``variant_plan`` (GENERATE's plan and its judge of new problems), ``seeds``,
``decontaminate`` and ``keys`` (the deterministic ids and sampling seeds that make a crash and restart
free of repeated work); ``clients`` builds the typed HTTP clients. Problems, rationales, labels and
datasets are read and written through the ``orchestrator.problems`` and ``orchestrator.datasets``
slices; the schema, the state machine and the admin API belong to ``orchestrator.runs`` / ``problems`` /
``datasets``. See docs/architecture.md.
"""
