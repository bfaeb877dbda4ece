"""The one object that turns questions and programs into what the student reads and writes, and back.

``TextTransform`` holds a model's text switches — the number-masking scheme (``number_slots``), the
people/things vocabulary (``entity_symbols``), and whether programs are compacted and their names
normalised (``program_form``) — and applies them in one order everywhere: numbers are masked in
question and program first (while the program still names its constants, so a repeated value goes to
the occurrence its variable is named after), then people and things in the question, then the program
is compacted and its names normalised. Training builds it with ``for_training`` from the run's config
and questions; prediction builds it with ``from_meta`` from the checkpoint, so a question is masked
the same way in both. ``meta`` is what a checkpoint saves of it. Distractor insertion, which only
training does, is ``distractors``. Knows nothing of models, tokenizers or files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .entity_symbols import EntityVocab
from .number_slots import CURRENT, SCHEMES, NumberMap, mask_program, mask_question, scheme_of, unmask_program
from .program_form import student_form


class TextSwitches(Protocol):
    """The fields of ``student.training.TrainConfig`` that decide the text transform."""

    base_model: str
    mask_numbers: bool | None
    mask_entities: bool | None
    normalize_names: bool | None
    compact_programs: bool | None


class Example(Protocol):
    """A (question, program) training example, such as ``student.training.TrainExample``."""

    question: str
    program: str


def masks_entities(config: TextSwitches, base_meta: Mapping[str, Any] | None = None) -> bool:
    """Whether a run masks people and things: as asked, else for the tiny model and for a base that
    is an fdd checkpoint (``base_meta``: its meta) trained with entity masking."""
    return text_switches(config, base_meta)["mask_entities"]


SWITCHES = ("mask_numbers", "mask_entities", "normalize_names", "compact_programs")


def text_switches(config: TextSwitches, base_meta: Mapping[str, Any] | None = None) -> dict[str, bool]:
    """Every text switch decided: as asked, else the base's. The tiny model learns from the run's text
    alone, so every switch is on; an fdd checkpoint (``base_meta``) keeps the form it was trained in; a
    pre-trained base knows numbers, words and names, so its text stays as written (masked, SmolLM2
    learnt to write the tiny model's ``v1 = N1 * 4`` and solved nothing)."""
    saved = base_meta or {}
    trained = {
        "mask_numbers": saved.get("masking", {}).get("enabled"),
        "mask_entities": saved.get("entities", {}).get("enabled"),
        "normalize_names": saved.get("config", {}).get("normalize_names"),
        "compact_programs": saved.get("config", {}).get("compact_programs"),
    }
    out = {}
    for name in SWITCHES:
        asked = getattr(config, name)
        if asked is None:
            asked = True if config.base_model == "tiny" else bool(trained[name])
        out[name] = bool(asked)
    return out


@dataclass(frozen=True)
class TextTransform:
    """A model's text transforms. The default transform leaves text as it is."""

    number_scheme: str | None = None  # a ``number_slots.SCHEMES`` name; None: numbers stay as written
    entities: EntityVocab | None = None  # people/things vocabulary; None: no entity masking
    normalize_names: bool = False  # training programs' assigned names become v1, v2 …
    compact: bool = False  # training programs' constants inlined and final ``ans = x`` folded

    @classmethod
    def for_training(
        cls, config: TextSwitches, questions: Iterable[str], base_meta: Mapping[str, Any] | None = None
    ) -> TextTransform:
        """The transform a run trains with; the entity vocabulary is learnt from ``questions``."""
        switches = text_switches(config, base_meta)
        # each distinct question once: a question with k rationales is k examples
        entities = EntityVocab.learn(dict.fromkeys(questions)) if switches["mask_entities"] else None
        scheme = CURRENT if switches["mask_numbers"] else None
        return cls(scheme, entities, switches["normalize_names"], switches["compact_programs"])

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> TextTransform:
        """The transform a checkpoint was trained with (its meta; ``{}`` for a plain HF model). Old
        checkpoints name no scheme (``values``); program switches only matter to ``pair``."""
        saved = meta.get("entities", {})
        config = meta.get("config", {})
        return cls(
            scheme_of(meta.get("masking", {})),
            EntityVocab.from_dict(saved) if saved.get("enabled") else None,
            bool(config.get("normalize_names", False)),
            bool(config.get("compact_programs", False)),
        )

    def meta(self) -> dict[str, Any]:
        """What a checkpoint's meta saves of this transform (``masking`` and ``entities``)."""
        scheme = self.number_scheme or CURRENT
        vocab = self.entities.to_dict() if self.entities is not None else {}
        return {
            "masking": {
                "enabled": self.number_scheme is not None,
                "scheme": scheme,
                "description": SCHEMES[scheme],
            },
            "entities": {"enabled": self.entities is not None, **vocab},
        }

    def question(self, question: str) -> tuple[str, NumberMap | None]:
        """``question`` as the model reads it, and its number slots (None without number masking)."""
        text, numbers = (
            (question, None) if self.number_scheme is None else mask_question(question, self.number_scheme)
        )
        return (text if self.entities is None else self.entities.mask(text)), numbers

    def pair(self, question: str, program: str) -> tuple[str, str]:
        """A training (question, program) as the model sees it."""
        return self._pair(self.question(question), program)

    def _pair(self, masked: tuple[str, NumberMap | None], program: str) -> tuple[str, str]:
        text, numbers = masked
        if numbers is not None:
            program = mask_program(program, numbers, self.number_scheme or CURRENT)
        return text, student_form(program, self.compact, self.normalize_names)

    def pairs(self, examples: Sequence[Example]) -> list[tuple[str, str]]:
        """Every example's pair, in order; pairs made identical by the transform are kept once. A question
        is masked once however many programs it has (its ``NumberMap`` is only read by the programs)."""
        masked = {q: self.question(q) for q in dict.fromkeys(ex.question for ex in examples)}
        return list(dict.fromkeys(self._pair(masked[ex.question], ex.program) for ex in examples))

    @staticmethod
    def restore(program: str, numbers: NumberMap | None) -> str | None:
        """A generated program made runnable: slots back to the question's numbers; None when it
        names a slot the question lacks. Entities and names need nothing restored."""
        return unmask_program(program, numbers) if numbers is not None else program
