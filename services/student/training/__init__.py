"""The student's training library: ``train(examples, config, out_dir)`` and its dataclasses.

Knows nothing of Celery or HTTP; the student service's tasks call ``train`` and store ``to_dict()``s.
"""

from .config import TrainConfig, TrainExample, TrainingCancelled, TrainProgress, TrainResult
from .loop import train

__all__ = ["TrainConfig", "TrainExample", "TrainProgress", "TrainResult", "TrainingCancelled", "train"]
