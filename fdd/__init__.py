"""fdd — the domain core of Feedback-Driven Distillation, shared by the three services.

It owns program extraction and sandboxed execution, answer comparison, benchmark loaders, the synthetic
curriculum, prompts, leakage measures, the wire models and typed HTTP clients, and the ``fdd`` command
line. It has no web-server or database code: those live in the services.
"""

__version__ = "0.1.0"
