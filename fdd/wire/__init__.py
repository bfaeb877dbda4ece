"""Wire models of the services' HTTP APIs, shared by the services and the typed clients.

Each service validates its requests with these models and the orchestrator's clients parse the
responses with the same ones, so a change of shape is one change, seen by both sides and by mypy.
"""
