"""Batched generation behind one small interface: Hugging Face ``generate`` or a vLLM engine.

A ``Generator`` turns prompt token ids into ``num_samples`` completions per prompt, each saying
whether it stopped at EOS (``finished``) or ran into ``max_new_tokens``. ``HFGenerator`` batches
prompts of similar length with left padding for decoder-only models (right padding for encoders),
uses the KV cache, and is greedy at temperature 0 through ``generate`` (or, with ``own_decode``,
decoder-only models through ``decode``, a loop that drops finished rows from the batch); ``VLLMGenerator``
hands the same request to ``vllm.LLM.generate``. What the completions mean (programs, answers) is
``predictor.py``'s business.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import torch

from student.modeling import PromptFormat

ProgressFn = Callable[[int, int], None]


@dataclass
class Completion:
    """One generated continuation: its text, whether it ended with EOS, and its length in tokens."""

    text: str
    finished: bool
    n_tokens: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return asdict(self)


class Generator(Protocol):
    """Anything that completes token-id prompts; one list of ``num_samples`` completions per prompt."""

    name: str

    def generate(
        self,
        prompts: Sequence[list[int]],
        num_samples: int,
        temperature: float,
        max_new_tokens: int,
        batch_size: int,
        progress: ProgressFn | None = None,
    ) -> list[list[Completion]]: ...


class HFGenerator:
    """``transformers`` generation with the KV cache, in batches of prompts sorted by length."""

    name = "hf"

    def __init__(
        self, model: Any, tokenizer: Any, fmt: PromptFormat, device: torch.device, own_decode: bool = False
    ):
        """``own_decode``: decoder-only models through ``decode`` instead of ``generate`` (off until
        bench/bench_student.py shows it faster on a trained model; under load it measured 0.89x)."""
        self.model, self.tokenizer, self.fmt, self.device = model.to(device).eval(), tokenizer, fmt, device
        self.seq2seq = fmt.kind == "seq2seq"
        self.own_decode = own_decode and not self.seq2seq
        self.pad_id = tokenizer.pad_token_id
        self.eos_id = tokenizer.eos_token_id

    def generate(
        self,
        prompts: Sequence[list[int]],
        num_samples: int,
        temperature: float,
        max_new_tokens: int,
        batch_size: int,
        progress: ProgressFn | None = None,
    ) -> list[list[Completion]]:
        """Complete every prompt; greedy (one decode, repeated) when ``temperature`` is 0."""
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        results: list[list[Completion]] = [[] for _ in prompts]
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            batch = self._generate_batch(
                [prompts[i] for i in chunk], num_samples, temperature, max_new_tokens
            )
            for i, completions in zip(chunk, batch, strict=True):
                results[i] = completions
            if progress is not None:
                progress(min(start + batch_size, len(order)), len(order))
        return results

    def _pad(self, prompts: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, p in enumerate(prompts):
            cols = slice(0, len(p)) if self.seq2seq else slice(width - len(p), width)  # decoders: pad left
            ids[row, cols], mask[row, cols] = torch.tensor(p), 1
        return ids.to(self.device), mask.to(self.device)

    @torch.no_grad()
    def _generate_batch(
        self, prompts: list[list[int]], num_samples: int, temperature: float, max_new_tokens: int
    ) -> list[list[Completion]]:
        if self.own_decode:
            draws = num_samples if temperature > 0 else 1
            rows = decode(self.model, *self._pad(prompts), draws, temperature, max_new_tokens, self.eos_id)
            completions = [self._completion(row) for row in rows]
            grouped = [completions[i * draws : (i + 1) * draws] for i in range(len(prompts))]
            return [group * (num_samples // draws) for group in grouped]
        ids, mask = self._pad(prompts)
        sampling = temperature > 0
        draws = num_samples if sampling else 1
        extra = {"temperature": temperature, "top_k": 0, "top_p": 1.0} if sampling else {}
        out = self.model.generate(
            input_ids=ids,
            attention_mask=mask,
            max_new_tokens=max_new_tokens,
            do_sample=sampling,
            num_return_sequences=draws,
            eos_token_id=self.eos_id,
            pad_token_id=self.pad_id,
            use_cache=True,
            **extra,
        )
        new = out[:, 1:] if self.seq2seq else out[:, ids.shape[1] :]  # drop decoder start / the prompt
        completions = [self._completion(row.tolist()) for row in new]
        grouped = [completions[i * draws : (i + 1) * draws] for i in range(len(prompts))]
        return [group * (num_samples // draws) for group in grouped]

    def _completion(self, ids: list[int]) -> Completion:
        finished = self.eos_id in ids
        if finished:
            ids = ids[: ids.index(self.eos_id)]
        return Completion(self.fmt.decode(self.tokenizer, ids), finished, len(ids) + int(finished))


def decode(
    model: Any,
    ids: torch.Tensor,
    mask: torch.Tensor,
    draws: int,
    temperature: float,
    max_new_tokens: int,
    eos_id: int,
) -> list[list[int]]:
    """Token ids generated for each left-padded prompt row (``draws`` rows per prompt, in order),
    each cut after its EOS: greedy at temperature 0, else sampled from the plain softmax.

    A decoder-only model's own loop instead of ``generate``: one forward per new token over the
    rows still running, with the KV cache; a finished row leaves the batch (its cache rows dropped)
    once a quarter of the rows have finished, so a batch costs what its unfinished rows need and
    the step count is that of its longest completion, with no per-row Python work per step.
    """
    if draws > 1:
        ids, mask = ids.repeat_interleave(draws, 0), mask.repeat_interleave(draws, 0)
    n = ids.shape[0]
    out = torch.full((n, max_new_tokens), eos_id, dtype=torch.long)
    lengths = torch.full((n,), max_new_tokens, dtype=torch.long)  # until EOS is seen
    rows = torch.arange(n)  # which output row each batch row writes to
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    step = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
    cache, position = step.cache, positions[:, -1:]
    alive = torch.ones(n, dtype=torch.bool)  # per batch row: no EOS yet
    for t in range(max_new_tokens):
        logits = step.logits[:, -1, :].float()
        if temperature > 0:
            token = torch.multinomial(torch.softmax(logits / temperature, dim=-1), 1).squeeze(1)
        else:
            token = logits.argmax(dim=-1)
        out[rows, t] = token
        ended = alive & (token == eos_id)
        lengths[rows[ended]] = t + 1
        alive &= ~ended
        if t + 1 == max_new_tokens or not bool(alive.any()):
            break
        if int(alive.sum()) <= 0.75 * len(rows):  # compact: finished rows leave the batch
            keep = alive.nonzero().squeeze(1)
            cache.batch_select_indices(keep)
            rows, token, mask, position, alive = (
                rows[keep],
                token[keep],
                mask[keep],
                position[keep],
                alive[keep],
            )
        mask = torch.cat([mask, mask.new_ones((len(rows), 1))], dim=1)
        position = position + 1
        step = model(
            input_ids=token[:, None],
            attention_mask=mask,
            position_ids=position,
            cache=cache,
            use_cache=True,
        )
    return [row[:length].tolist() for row, length in zip(out, lengths.tolist(), strict=True)]


class VLLMGenerator:
    """The same interface over a vLLM engine (GPU only; decoder-only models)."""

    name = "vllm"

    def __init__(self, checkpoint_dir: Path | str, tokenizer: Any, fmt: PromptFormat, **engine_args: Any):
        from vllm import LLM  # imported here: vLLM is optional and GPU-only

        if fmt.kind != "causal":
            raise ValueError("the vLLM engine serves decoder-only checkpoints; use engine='hf' for seq2seq")
        self.tokenizer, self.fmt = tokenizer, fmt
        args = {"dtype": "bfloat16", "gpu_memory_utilization": 0.3, "seed": 0, **engine_args}
        self.llm = LLM(model=str(checkpoint_dir), tokenizer=str(checkpoint_dir), **args)

    def generate(
        self,
        prompts: Sequence[list[int]],
        num_samples: int,
        temperature: float,
        max_new_tokens: int,
        batch_size: int,
        progress: ProgressFn | None = None,
    ) -> list[list[Completion]]:
        """Complete every prompt in one engine call (vLLM schedules its own batches)."""
        from vllm import SamplingParams

        params = SamplingParams(
            n=num_samples,
            temperature=temperature,
            max_tokens=max_new_tokens,
            stop_token_ids=[self.tokenizer.eos_token_id],
            skip_special_tokens=True,
        )
        requests = [{"prompt_token_ids": list(p)} for p in prompts]
        outputs = self.llm.generate(requests, params, use_tqdm=False)
        if progress is not None:
            progress(len(prompts), len(prompts))
        return [[self._completion(o) for o in request.outputs] for request in outputs]

    def _completion(self, output: Any) -> Completion:
        ids = [t for t in output.token_ids if t != self.tokenizer.eos_token_id]
        finished = output.finish_reason == "stop"
        return Completion(self.fmt.decode(self.tokenizer, ids), finished, len(output.token_ids))
