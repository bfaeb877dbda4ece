"""Web plumbing the three services share: the error envelope, request logging, health endpoints, uvicorn.

It owns nothing of any service's domain; each service's ``create_app`` calls ``install`` once.
"""
