"""fdd's synthetic curriculum: GSM8K-style word problems from a compositional grammar.

It owns generating problems with an exact step count (1-8) and a canonical Program-of-Thought program
(``generate``), making a harder variant of a problem (``complexify``) or a similar one (``similar``),
reading a problem back from its text alone (``parse``, which raises ``Declined`` for anything else,
real GSM8K questions included), and writing seed and test sets as JSONL (``write_sets``; also
``python -m fdd.curriculum``). The offline synthetic teacher backend is built on it; loading the
files is ``fdd.datasets``'s job.

Layout: ``lexicon`` (words) → ``grammar`` (statements) → ``facts``/``questions``/``semantics`` (meaning,
program) → ``templates``/``slots``/``render``/``parse`` (text) → ``numbers``/``ops``/``generate``
(random problems) → ``variants`` (complexify, similar) → ``sets`` (files).
"""

from fdd.curriculum.generate import MAX_STEPS, generate, problem_for_seed
from fdd.curriculum.grammar import Problem, Stmt
from fdd.curriculum.parse import Declined, parse
from fdd.curriculum.semantics import LIMIT
from fdd.curriculum.sets import SEED_STEP_WEIGHTS, fixed_step_problems, seed_problems, write_sets
from fdd.curriculum.variants import complexify, similar

__all__ = [
    "LIMIT",
    "MAX_STEPS",
    "SEED_STEP_WEIGHTS",
    "Declined",
    "Problem",
    "Stmt",
    "complexify",
    "generate",
    "parse",
    "problem_for_seed",
    "seed_problems",
    "similar",
    "fixed_step_problems",
    "write_sets",
]
