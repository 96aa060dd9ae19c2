"""A decoder-only Transformer with relative self-attention (Huang et al. 2018, "Music Transformer").

Each attention head adds to its content logits q_i . k_j a relative term q_i . e_(j - i), where e_d
is a learned embedding of the distance d = j - i (only d <= 0 matters under a causal mask). The
embeddings of the distances -(L-1)..0 are the rows of Er (one matrix per head and layer). Rather
than gathering an L x L x D tensor of embeddings, the paper multiplies Q by Er^T once (L x L) and
"skews" the product so that entry (i, r), which belongs to distance r - (L-1), lands in column
j = i + r - (L-1): pad one zero column on the left, reshape (L, L+1) to (L+1, L), drop the first row.
Entries above the diagonal come out as garbage and the causal mask hides them.

There are no absolute positions: order comes from the relative term alone. Blocks are pre-LN
(x + attn(ln(x)), x + mlp(ln(x))), the output head shares the token embedding unless told not to.
Generation (of one row or a batch) keeps a key/value cache; a single new query needs no skew (its distances to the S keys
are exactly the last S rows of Er), and once the context is full it is rebuilt from the newer half.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from . import events


@dataclass
class ModelConfig:
    vocab: int = events.VOCAB_SIZE
    n_layer: int = 6
    n_head: int = 8
    d_model: int = 256
    max_len: int = 512  # the longest context, and the number of relative distances learned
    dropout: float = 0.1
    tie_weights: bool = True


def skew(rel: torch.Tensor) -> torch.Tensor:
    """(..., L, L) logits indexed by (query i, relative row r) -> indexed by (query i, key j), where
    row r holds distance r - (L-1); valid for j <= i."""
    L = rel.size(-1)
    padded = F.pad(rel, (1, 0))  # (..., L, L + 1)
    return padded.reshape(*rel.shape[:-2], L + 1, L)[..., 1:, :]


class RelativeSelfAttention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        assert cfg.d_model % cfg.n_head == 0, "d_model must be a multiple of n_head"
        self.n_head, self.d_head, self.max_len = cfg.n_head, cfg.d_model // cfg.n_head, cfg.max_len
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.Er = nn.Parameter(torch.randn(cfg.n_head, cfg.max_len, self.d_head) * 0.02)  # rows: -(L-1)..0
        self.dropout = cfg.dropout
        self.resid_drop = nn.Dropout(cfg.dropout)

    def relative_logits(self, q: torch.Tensor, n_keys: int) -> torch.Tensor:
        """S_rel (B, H, T, n_keys): q_i . e_(j - i), queries being the last T of n_keys positions."""
        Er = self.Er[:, self.max_len - n_keys :]  # (H, S, Dh): distances -(S-1)..0
        rel = q @ Er.transpose(-1, -2)  # (B, H, T, S)
        if q.size(2) == n_keys:
            return skew(rel)
        assert q.size(2) == 1, "with a cache, queries come one at a time"
        return rel  # the one query is the newest: row r is key j = r

    def forward(self, x: torch.Tensor, cache: tuple | None = None) -> tuple[torch.Tensor, tuple]:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, self.d_head).transpose(1, 2) for t in (q, k, v))  # (B, H, T, Dh)
        if cache is not None:
            k, v = torch.cat((cache[0], k), dim=2), torch.cat((cache[1], v), dim=2)
        S = k.size(2)
        if S > self.max_len:
            raise ValueError(f"context of {S} tokens is longer than max_len={self.max_len}")
        bias = self.relative_logits(q, S) / math.sqrt(self.d_head)
        if T > 1:  # causal: query i sees keys 0..i
            future = torch.ones(T, S, dtype=torch.bool, device=x.device).triu(S - T + 1)
            bias = bias.masked_fill(future, float("-inf"))
        y = F.scaled_dot_product_attention(
            q, k, v, attn_mask=bias.to(q.dtype), dropout_p=self.dropout if self.training else 0.0
        )
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.resid_drop(self.proj(y)), (k, v)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = RelativeSelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.d_model, 4 * cfg.d_model),
            nn.GELU(),
            nn.Linear(4 * cfg.d_model, cfg.d_model),
            nn.Dropout(cfg.dropout),
        )

    def forward(self, x: torch.Tensor, cache: tuple | None = None) -> tuple[torch.Tensor, tuple]:
        a, cache = self.attn(self.ln1(x), cache)
        x = x + a
        return x + self.mlp(self.ln2(x)), cache


class MusicTransformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab, bias=False)
        if cfg.tie_weights:
            self.head.weight = self.tok.weight
        self.apply(self._init)
        for name, p in self.named_parameters():  # GPT-2: scale the residual projections by depth
            if name.endswith("proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None, caches: list | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None, list]:
        """Logits (B, T, vocab); the loss when ``targets`` (PAD targets ignored); the new caches."""
        x = self.drop(self.tok(idx))
        new_caches = []
        for i, block in enumerate(self.blocks):
            x, cache = block(x, caches[i] if caches is not None else None)
            new_caches.append(cache)
        logits = self.head(self.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(
                logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1), ignore_index=events.PAD
            )
        return logits, loss, new_caches

    @torch.no_grad()
    def generate(self, primer, steps: int, **sampling) -> list[int]:
        """``steps`` new tokens after ``primer`` (a list of ids, not empty); see ``generate_batch``."""
        return self.generate_batch([primer], steps, **sampling)[0]

    @torch.no_grad()
    def generate_batch(
        self,
        primers,
        steps: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
        suppress=events.SPECIAL_TOKENS,
        keep: int = 0,
        bias: torch.Tensor | None = None,
    ) -> list[list[int]]:
        """``steps`` new tokens after each of ``primers`` (lists of ids, all of one length), the rows
        sampled together: one forward pass a step for all of them, which costs a small model on a CPU
        little more than one row does. Tokens are drawn on the CPU with ``generator``, row after row
        (so a seed gives the same tokens on any device, and one row the same as it always did). Tokens
        in ``suppress`` are never drawn; ``bias`` (one value per token) is added to the logits before
        the temperature. When the context fills up it is rebuilt from its first ``keep`` tokens (a
        control token, say) and the newest half."""
        contexts = [[int(t) for t in primer] for primer in primers]
        if not contexts or not contexts[0]:
            raise ValueError("generate needs a primer of one token at least")
        if len({len(c) for c in contexts}) != 1:
            raise ValueError("the primers of one batch must have one length")
        device = next(self.parameters()).device
        L = self.cfg.max_len
        keep = min(keep, L // 2)
        banned = torch.tensor(sorted(suppress), dtype=torch.long) if suppress else None
        was_training = self.training
        self.eval()
        out: list[list[int]] = [[] for _ in contexts]
        caches = None
        for _ in range(steps):
            if caches is None or caches[0][0].size(2) >= L:  # (re)fill the cache from the context
                recent = L - keep if caches is None else L // 2
                window = [c[:keep] + c[keep:][-recent:] for c in contexts]
                logits, _, caches = self(torch.tensor(window, device=device))
            else:
                logits, _, caches = self(torch.tensor([[c[-1]] for c in contexts], device=device), caches=caches)
            scores = logits[:, -1].float().cpu()
            if bias is not None:
                scores = scores + bias
            scores = scores / max(float(temperature), 1e-5)
            if banned is not None:
                scores[:, banned] = float("-inf")
            if top_k:
                kth = torch.topk(scores, min(int(top_k), scores.size(-1)), dim=-1).values[:, -1:]
                scores[scores < kth] = float("-inf")
            probs = F.softmax(scores, dim=-1)
            for row, context in enumerate(contexts):
                token = int(torch.multinomial(probs[row], 1, generator=generator))
                out[row].append(token)
                context.append(token)
        self.train(was_training)
        return out
