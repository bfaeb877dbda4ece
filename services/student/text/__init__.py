"""The student's text transforms: what a question and a program become before the model sees them.

``transform.TextTransform`` applies them, in one order, in training and in prediction; the parts are
``number_slots`` (numbers as ``N1, N2 …`` and back), ``entity_symbols`` (people as ``P1 …``, counted
things as ``X1 …``), ``program_form`` (names ``v1, v2 …``, constants inlined) and ``distractors`` (an
unrelated statement inserted, training only). Nothing here knows of models, tokenizers, Celery or HTTP.
"""

from .distractors import Distractors
from .entity_symbols import EntityVocab
from .number_slots import NumberMap
from .transform import TextTransform, masks_entities, text_switches

__all__ = ["Distractors", "EntityVocab", "NumberMap", "TextTransform", "masks_entities", "text_switches"]
