"""Typed HTTP clients of fdd's services (the teacher's async client; the orchestrator's admin client)."""
