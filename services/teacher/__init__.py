"""The teacher service: an LLM API proxy that writes, executes and verifies rationales and new problems.

It owns prompts-to-completions (through a backend), the response cache, usage and cost accounting, and
the verification of programs (run only in ``fdd.programs``' sandbox). It stores nothing about runs.
"""
