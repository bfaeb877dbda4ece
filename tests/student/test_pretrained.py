"""Tests of pre-trained bases: a GPT-2 and a T5 saved to disk, trained and used through the library API.

No download: each test builds a small model and tokenizer, ``save_pretrained``s them, and passes the
directory as ``base_model`` — the same path a hub model takes after ``from_pretrained``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import (
    GPT2Config,
    GPT2LMHeadModel,
    PreTrainedTokenizerFast,
    T5Config,
    T5ForConditionalGeneration,
)

from student.inference import load_predictor
from student.modeling import META_FILE
from student.training import TrainConfig, train
from tests.student.tiny import easy_problems, examples, items

# three epochs on 64 templated problems: no inserted distractors, so that the loss falls in so few steps
FAST = {
    "epochs": 3,
    "batch_size": 16,
    "lr": 3e-3,
    "threads": 1,
    "mask_numbers": True,
    "augment_distractors": 0.0,
}


def _bpe(special: list[str], drop_newlines: bool) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    if drop_newlines:  # like T5's SentencePiece, which turns newlines into spaces
        tok.normalizer = normalizers.Replace("\n", " ")
    texts = [t for q, p, _ in easy_problems(200, seed=7) for t in (q, p)]
    tok.train_from_iterator(
        texts, trainers.BpeTrainer(vocab_size=300, special_tokens=special, show_progress=False)
    )
    return tok


def _save_gpt2(path: Path) -> Path:
    """A GPT-2-family base: one <|endoftext|> token for BOS and EOS, no pad token."""
    tok = PreTrainedTokenizerFast(
        tokenizer_object=_bpe(["<|endoftext|>"], False), bos_token="<|endoftext|>", eos_token="<|endoftext|>"
    )
    eos = tok.eos_token_id
    config = GPT2Config(
        vocab_size=len(tok),
        n_embd=64,
        n_layer=2,
        n_head=2,
        n_positions=256,
        bos_token_id=eos,
        eos_token_id=eos,
    )
    GPT2LMHeadModel(config).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def _save_t5(path: Path) -> Path:
    """A T5-family base whose tokenizer, like SentencePiece, loses newlines."""
    tok = PreTrainedTokenizerFast(
        tokenizer_object=_bpe(["<pad>", "</s>", "<unk>"], True),
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
    )
    config = T5Config(
        vocab_size=len(tok),
        d_model=64,
        d_ff=128,
        d_kv=16,
        num_layers=2,
        num_heads=4,
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.pad_token_id,
    )
    T5ForConditionalGeneration(config).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def test_gpt2_from_a_saved_path_trains_and_predicts(tmp_path: Path):
    base = _save_gpt2(tmp_path / "gpt2")
    result = train(examples(64, seed=8), TrainConfig(base_model=str(base), **FAST), tmp_path / "ckpt")
    assert result.metrics["train_loss"] < 0.7 * result.metrics["first_loss"]
    meta = json.loads((result.checkpoint_dir / META_FILE).read_text())
    assert meta["base_model"] == str(base)
    assert meta["prompt_format"] == {
        "kind": "causal",
        "sep": "\nProgram:\n",
        "use_bos": True,
        "newline": None,
        "echo": "none",
    }
    preds = load_predictor(result.checkpoint_dir, device="cpu", threads=1).predict(
        items(4, 9), max_new_tokens=12
    )
    assert len(preds) == 4
    assert {p.outcome for p in preds} <= {"correct", "wrong", "no_answer"}


def test_fdd_checkpoint_as_base_keeps_its_format(tmp_path: Path):
    first = train(
        examples(32, seed=10),
        TrainConfig(base_model=str(_save_gpt2(tmp_path / "g")), **FAST),
        tmp_path / "one",
    )
    again = train(
        examples(32, seed=10),
        TrainConfig(base_model=str(first.checkpoint_dir), max_steps=2, **FAST),
        tmp_path / "two",
    )
    assert again.metrics["first_loss"] < first.metrics["first_loss"]  # it starts from the trained weights
    meta = json.loads((again.checkpoint_dir / META_FILE).read_text())
    assert meta["prompt_format"]["sep"] == "\nProgram:\n"


def test_t5_from_a_saved_path_trains_and_predicts_with_newline_stand_in(tmp_path: Path):
    base = _save_t5(tmp_path / "t5")
    result = train(examples(64, seed=11), TrainConfig(base_model=str(base), **FAST), tmp_path / "ckpt")
    assert result.metrics["train_loss"] < 0.7 * result.metrics["first_loss"]
    meta = json.loads((result.checkpoint_dir / META_FILE).read_text())
    assert meta["prompt_format"]["kind"] == "seq2seq"
    assert meta["prompt_format"]["newline"] == " ; "
    predictor = load_predictor(result.checkpoint_dir, device="cpu", engine="auto", threads=1)
    assert predictor.engine == "hf"
    preds = predictor.predict(items(4, 12), max_new_tokens=12)
    assert len(preds) == 4


def test_tiny_settings_with_a_pretrained_base_are_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="only applies"):
        train(
            examples(10, 1),
            TrainConfig(base_model=str(_save_gpt2(tmp_path / "g")), tiny={"layers": 2}),
            tmp_path / "ckpt",
        )
