"""The student service: an HTTP API that accepts train, predict and evaluate jobs, and the Celery
workers that run them with torch/transformers (vLLM on GPUs when installed).

The library parts (``training``, ``inference``) know nothing of Celery or HTTP; ``tasks`` is as thin as a
web view. Checkpoints live under an artifacts directory shared by the API and the workers.
"""
