"""Ad-hoc generation in the API process: ``/v1/generate`` with a small cache of loaded predictors.

Loading a checkpoint costs seconds, so the last few are kept (least recently used goes first). Work runs
in FastAPI's thread pool under one lock: torch already uses every core for one batch, and the lock
keeps two requests from loading the same checkpoint twice.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from fdd.wire.student import GenerateRequest, GenerateResponse, PredictionRead
from student.checkpoints import existing_checkpoint
from student.settings import StudentSettings


class PredictorCache:
    def __init__(self, settings: StudentSettings) -> None:
        self.settings = settings
        self._loaded: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def _predictor(self, name: str) -> Any:
        if name in self._loaded:
            self._loaded.move_to_end(name)
            return self._loaded[name]
        path = existing_checkpoint(self.settings, name)
        from student.inference import load_predictor

        predictor = load_predictor(path, threads=self.settings.worker_threads)
        self._loaded[name] = predictor
        while len(self._loaded) > self.settings.predictor_cache_size:
            self._loaded.popitem(last=False)
        return predictor

    def generate(self, request: GenerateRequest) -> GenerateResponse:
        """Solve ``request.problems`` with the named checkpoint (``NotFound`` if there is none)."""
        existing_checkpoint(self.settings, request.checkpoint)  # 404 before paying for torch
        from student.inference import PredictItem

        items = [PredictItem(p.id, p.question, p.gold, dict(p.meta)) for p in request.problems]
        with self._lock:
            predictor = self._predictor(request.checkpoint)
            predictions = predictor.predict(items, **request.decoding.model_dump())
        return GenerateResponse(predictions=[PredictionRead.model_validate(p.to_dict()) for p in predictions])
