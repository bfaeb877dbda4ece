"""The student's inference library: load a checkpoint, predict (batched, HF or vLLM), evaluate.

Knows nothing of Celery or HTTP; the student service's tasks call these and store ``to_dict()``s.
"""

from .evaluate import EvalResult, evaluate, population_hash
from .generators import Completion, Generator, HFGenerator, VLLMGenerator
from .predictor import Output, Prediction, PredictItem, Predictor, load_predictor

__all__ = [
    "Completion",
    "EvalResult",
    "Generator",
    "HFGenerator",
    "Output",
    "PredictItem",
    "Prediction",
    "Predictor",
    "VLLMGenerator",
    "evaluate",
    "load_predictor",
    "population_hash",
]
