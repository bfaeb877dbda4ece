"""The student's models and tokenizers: the offline "tiny" default and any Hugging Face base.

Owns what a model *is*: building the tiny Llama-style decoder (or a tiny T5/GPT-2 for comparison)
from a transformers config with a byte-level BPE tokenizer trained on the run's own text, loading a
pre-trained causal or seq2seq model from a local path or hub id, and the ``PromptFormat`` that turns
a question and a program into token ids the same way in training and in inference. It knows nothing
of training loops, generation, Celery or HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerFast,
    T5Config,
    T5ForConditionalGeneration,
)

META_FILE = "fdd_meta.json"
PAD, BOS, SEP, EOS = "[PAD]", "[BOS]", "[SEP]", "[EOS]"
# GPT-2's split, except that a number slot (N12) or an entity symbol (P3, X2) stays whole and every
# digit of a literal is its own piece.
_SPLIT = r"'s|'t|'re|'ve|'m|'ll|'d| ?[NPX]\d+\b| ?[^\W\d]+| ?\d| ?[^\s\w]+|\s+(?!\S)|\s+"
# The tiny default's shape (docs/architecture.md): Llama-style, hidden 128, 4 layers, 4 heads, SwiGLU 336.
TINY_DEFAULTS: dict[str, Any] = {
    "arch": "llama",  # "llama" (default) | "gpt2" | "t5" — the latter two only for comparisons
    "hidden": 128,
    "layers": 4,
    "heads": 4,
    "ffn": 336,
    "vocab_size": 1000,  # upper bound; a small corpus yields fewer BPE tokens
    "dropout": 0.1,  # dropout in training (llama: attention only; gpt2: residual, embedding, attention)
    "echo": "none",  # "none" | "query" | "question": what the prompt reads twice (PromptFormat.echo)
}
ECHOES = {"none", "query", "question"}
# What an instruct model is asked before the question (its answer is the program alone).
CHAT_INSTRUCTION = "Write a Python program that computes the answer and stores it in `ans`.\n\n"
# The sentence a word problem asks: the last one that ends in "?" (else the last sentence).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _ids(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    """The token ids of each text, without special tokens, from one call of the tokenizer."""
    if not texts:
        return []
    return [list(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]


@dataclass
class PromptFormat:
    """How a (question, program) pair becomes token ids; saved in the checkpoint's meta."""

    kind: str  # "causal" | "seq2seq"
    sep: str  # text between question and program for causal models ("[SEP]" for tiny ones)
    use_bos: bool  # prepend the tokenizer's BOS token to the prompt
    newline: str | None = None  # stand-in for "\n" when the tokenizer drops newlines (T5's SentencePiece)
    echo: str = "none"  # what a causal model reads twice: "none", "query" or "question" (prompt_text)
    prefix: str = ""  # text before the question: "Question: " (plain) or the instruction of a chat turn
    chat: bool = False  # the question is the user's turn of the tokenizer's chat template (instruct models)

    def prompt_text(self, question: str) -> str:
        """The question as the model reads it.

        A causal model sees only what came before each token, so the ``N2`` in "for N2 weeks" cannot
        know the "weeks" after it, nor what is being asked. ``echo="query"`` puts the asking sentence
        first as well; ``echo="question"`` reads the whole question twice, so that every token of the
        second copy has seen the whole text (the repetition trick of Springer et al., 2024).
        """
        if self.echo == "question":
            return f"{question}\n{question}"
        if self.echo != "query":
            return question
        sentences = _SENTENCE_END.split(question.strip())
        if len(sentences) < 2:
            return question
        asks = [s for s in sentences if s.endswith("?")]
        return f"{(asks or sentences)[-1]}\n{question}"

    def prompt_ids(self, tokenizer: Any, question: str) -> list[int]:
        """Token ids the model is conditioned on: ``[BOS] question [SEP]``, the chat template's user
        turn and assistant header, or the encoder input."""
        return self.prompts_ids(tokenizer, [question])[0]

    def prompts_ids(self, tokenizer: Any, questions: Sequence[str]) -> list[list[int]]:
        """``prompt_ids`` of each question, tokenized in one batch call (a call per text cost a training
        job on 10,000 examples a second)."""
        texts = [self.prefix + self.prompt_text(question) for question in questions]
        if self.chat:
            turns = [[{"role": "user", "content": text}] for text in texts]
            template = tokenizer.apply_chat_template
            return _ids(tokenizer, [template(t, tokenize=False, add_generation_prompt=True) for t in turns])
        if self.kind == "seq2seq":
            return [ids + [tokenizer.eos_token_id] for ids in _ids(tokenizer, texts)]
        head = [tokenizer.bos_token_id] if self.use_bos and tokenizer.bos_token_id is not None else []
        tail = _ids(tokenizer, [self.sep])[0]
        return [head + ids + tail for ids in _ids(tokenizer, texts)]

    def target_ids(self, tokenizer: Any, program: str) -> list[int]:
        """Token ids the model must produce: the program, then EOS so that it learns to stop."""
        return self.targets_ids(tokenizer, [program])[0]

    def targets_ids(self, tokenizer: Any, programs: Sequence[str]) -> list[list[int]]:
        """``target_ids`` of each program, tokenized in one batch call."""
        if self.newline is not None:
            programs = [program.replace("\n", self.newline) for program in programs]
        return [ids + [tokenizer.eos_token_id] for ids in _ids(tokenizer, programs)]

    def decode(self, tokenizer: Any, ids: Iterable[int]) -> str:
        """Text of generated ids (special tokens dropped, newline stand-ins restored)."""
        text = tokenizer.decode(list(ids), skip_special_tokens=True)
        if self.newline is not None:
            text = "\n".join(line.strip() for line in text.split(self.newline.strip()))
        return text


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained on ``texts`` (lossless on any input; no download)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, BOS, SEP, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token=PAD, bos_token=BOS, eos_token=EOS, sep_token=SEP
    )


def build_tiny(
    texts: Iterable[str], overrides: dict[str, Any], max_length: int
) -> tuple[PreTrainedModel, Any, PromptFormat]:
    """A freshly initialised tiny model, its tokenizer trained on ``texts`` and its prompt format."""
    unknown = set(overrides) - set(TINY_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown tiny-model settings {sorted(unknown)}; known: {sorted(TINY_DEFAULTS)}")
    cfg = {**TINY_DEFAULTS, **overrides}
    tokenizer = train_tokenizer(texts, int(cfg["vocab_size"]))
    ids = {
        "vocab_size": len(tokenizer),
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    h, n_layers, heads, ffn = int(cfg["hidden"]), int(cfg["layers"]), int(cfg["heads"]), int(cfg["ffn"])
    dropout, echo = float(cfg["dropout"]), str(cfg["echo"])
    if echo not in ECHOES:
        raise ValueError(f"unknown echo {echo!r}; use one of {sorted(ECHOES)}")
    arch = cfg["arch"]
    if arch == "llama":
        model: PreTrainedModel = LlamaForCausalLM(
            LlamaConfig(
                hidden_size=h,
                intermediate_size=ffn,
                num_hidden_layers=n_layers,
                num_attention_heads=heads,
                num_key_value_heads=heads,
                max_position_embeddings=2 * max_length,
                tie_word_embeddings=True,
                attention_dropout=dropout,
                **ids,
            )
        )
        return model, tokenizer, PromptFormat("causal", SEP, use_bos=True, echo=echo)
    if arch == "gpt2":
        model = GPT2LMHeadModel(
            GPT2Config(
                n_embd=h,
                n_layer=n_layers,
                n_head=heads,
                n_inner=ffn,
                n_positions=2 * max_length,
                tie_word_embeddings=True,
                resid_pdrop=dropout,
                embd_pdrop=dropout,
                attn_pdrop=dropout,
                **ids,
            )
        )
        return model, tokenizer, PromptFormat("causal", SEP, use_bos=True, echo=echo)
    if arch == "t5":
        half = max(1, n_layers // 2)  # same depth in total, split between encoder and decoder
        model = T5ForConditionalGeneration(
            T5Config(
                d_model=h,
                d_ff=ffn,
                d_kv=h // heads,
                num_layers=half,
                num_decoder_layers=half,
                num_heads=heads,
                feed_forward_proj="gated-gelu",
                dropout_rate=dropout,
                tie_word_embeddings=True,
                decoder_start_token_id=tokenizer.bos_token_id,
                **ids,
            )
        )
        return model, tokenizer, PromptFormat("seq2seq", "", use_bos=False, echo=echo)
    raise ValueError(f"unknown tiny architecture {arch!r}; use 'llama', 'gpt2' or 't5'")


def read_meta(path: Path | str) -> dict[str, Any] | None:
    """The fdd meta of a checkpoint directory, or None when ``path`` is not an fdd checkpoint."""
    meta = Path(path) / META_FILE
    return json.loads(meta.read_text()) if meta.is_file() else None


def load_pretrained(name_or_path: str) -> tuple[PreTrainedModel, Any, PromptFormat]:
    """A pre-trained causal or seq2seq model with its tokenizer (an fdd checkpoint keeps its format)."""
    meta = read_meta(name_or_path)
    config = AutoConfig.from_pretrained(name_or_path)
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    seq2seq = bool(getattr(config, "is_encoder_decoder", False))
    auto = AutoModelForSeq2SeqLM if seq2seq else AutoModelForCausalLM
    model = auto.from_pretrained(name_or_path)
    if tokenizer.pad_token_id is None:  # GPT-2 and friends: pad with EOS; labels mask pads by position
        tokenizer.pad_token = tokenizer.eos_token
    if tokenizer.eos_token_id is None:
        raise ValueError(f"{name_or_path}: the tokenizer has no EOS token, so generation could not stop")
    if meta is not None:
        return model, tokenizer, PromptFormat(**meta["prompt_format"])
    return model, tokenizer, pretrained_format(tokenizer, seq2seq)


def pretrained_format(tokenizer: Any, seq2seq: bool) -> PromptFormat:
    """How a pre-trained base reads a question: an instruct model (one with a chat template) as its
    user turn, asked for a program; any other causal model as ``Question: … Program:``."""
    if seq2seq:
        return PromptFormat("seq2seq", "", use_bos=False, newline=_newline_stand_in(tokenizer))
    if getattr(tokenizer, "chat_template", None):
        return PromptFormat("causal", "", use_bos=False, prefix=CHAT_INSTRUCTION, chat=True)
    bos = tokenizer.bos_token_id is not None
    return PromptFormat("causal", "\nProgram:\n", use_bos=bos, prefix="Question: ")


def _newline_stand_in(tokenizer: Any) -> str | None:
    """None when the tokenizer keeps newlines; else a marker that survives its normalisation."""
    probe = "a = 1\nans = a"
    ids = tokenizer(probe, add_special_tokens=False)["input_ids"]
    return None if tokenizer.decode(ids, skip_special_tokens=True) == probe else " ; "


def format_dict(fmt: PromptFormat) -> dict[str, Any]:
    """The prompt format as saved in the meta JSON."""
    return asdict(fmt)
