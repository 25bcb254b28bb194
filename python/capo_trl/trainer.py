"""`CapoGRPOTrainer`: TRL's GRPOTrainer with CAPO per-token advantages (CAPO section 3).

TRL computes one scalar advantage per completion in `_generate_and_score_completions`; its loss
(`_compute_loss`) also accepts `[B, T]` advantages. This subclass keeps TRL's generation, then
replaces the advantages with A_t = (R_t - mean_pool) / (std_pool + eps), the pool being every
response token of the group, R_t from capo's credit service.
"""

from __future__ import annotations

from typing import Any

import torch
from trl import GRPOTrainer

from .client import CreditClient, token_offsets


def capo_advantages(rewards: torch.Tensor, mask: torch.Tensor, group_size: int, eps: float = 1e-6) -> torch.Tensor:
    """CAPO advantages `[B, T]` from token rewards `[B, T]` and a 0/1 mask `[B, T]`.

    Rows come in groups of `group_size` consecutive completions of one prompt. Mean and population
    std are taken over the masked tokens of the whole group; masked-out positions get 0.
    """
    if rewards.shape != mask.shape or rewards.shape[0] % group_size != 0:
        raise ValueError(f"Cannot compute CAPO advantages: rewards {tuple(rewards.shape)} and mask {tuple(mask.shape)} must match and rows divide by {group_size}")
    b, t = rewards.shape
    r = rewards.float().view(b // group_size, group_size * t)
    m = mask.float().view(b // group_size, group_size * t)
    count = m.sum(dim=1, keepdim=True).clamp(min=1)
    mean = (r * m).sum(dim=1, keepdim=True) / count
    std = ((((r - mean) ** 2) * m).sum(dim=1, keepdim=True) / count).sqrt()
    return (((r - mean) / (std + eps)) * m).view(b, t)


class CapoCreditReward:
    """A TRL reward function that asks the credit service for per-token rewards.

    It returns each completion's mean token reward (what TRL logs as `reward`) and keeps the
    per-token rewards and evidence of the last call for `CapoGRPOTrainer`.

    Args:
        client: The credit service client.
        tokenizer: The policy's tokenizer (to compute token offsets).
        gold_key: Dataset column with the gold answer.
    """

    __name__ = "capo_credit"

    def __init__(self, client: CreditClient, tokenizer: Any, gold_key: str = "answer"):
        self.client = client
        self.tokenizer = tokenizer
        self.gold_key = gold_key
        self.last: dict[str, Any] | None = None

    def __call__(self, prompts, completions, completion_ids, **kwargs) -> list[float]:
        if self.gold_key not in kwargs:
            raise KeyError(f"Cannot score completions: the dataset has no '{self.gold_key}' column with gold answers")
        items = []
        for i, (prompt, ids) in enumerate(zip(prompts, completion_ids, strict=True)):
            text, offsets = token_offsets(self.tokenizer, ids)
            prompt_text = prompt if isinstance(prompt, str) else "\n".join(str(m.get("content", "")) for m in prompt)
            items.append({"id": str(i), "prompt": prompt_text, "response": text, "offsets": offsets, "gold": str(kwargs[self.gold_key][i])})
        out = self.client.score(items)
        self.last = {**out, "requests": items}
        return [sum(r["rewards"]) / len(r["rewards"]) if r["rewards"] else 0.0 for r in out["items"]]


class CapoGRPOTrainer(GRPOTrainer):
    """GRPOTrainer whose advantages are CAPO's per-token advantages from capo's credit service.

    Args:
        credit_url: Base URL of `deno task credit:serve`.
        credit_token_env: Name of the environment variable with the service's bearer token.
        gold_key: Dataset column with the gold answers.
        eps: Epsilon of the advantage normalisation.
        Other arguments go to `GRPOTrainer` (do not pass `reward_funcs`: the credit reward is it).
    """

    def __init__(self, *args, credit_url: str, credit_token_env: str | None = None, gold_key: str = "answer", eps: float = 1e-6, **kwargs):
        if kwargs.get("reward_funcs") is not None:
            raise ValueError("Cannot combine reward_funcs with CapoGRPOTrainer: the credit service is the reward")
        tokenizer = kwargs.get("processing_class")
        self.capo_reward = CapoCreditReward(CreditClient(credit_url, credit_token_env), tokenizer, gold_key)
        self.capo_eps = eps
        self.capo_last: dict[str, Any] = {}
        kwargs["reward_funcs"] = [self.capo_reward]
        super().__init__(*args, **kwargs)
        if self.capo_reward.tokenizer is None:
            self.capo_reward.tokenizer = self.processing_class

    def _generate_and_score_completions(self, inputs):
        output = super()._generate_and_score_completions(inputs)
        credit = self.capo_reward.last
        mask = output["completion_mask"]
        if credit is None or len(credit["items"]) != mask.shape[0]:
            raise RuntimeError("Cannot apply CAPO credit: the credit reward did not score this batch")
        rewards = torch.zeros(mask.shape, dtype=torch.float32, device=mask.device)
        for row, item in enumerate(credit["items"]):
            n = int(mask[row].sum().item())
            if len(item["rewards"]) != n:
                raise RuntimeError(f"Cannot apply CAPO credit: completion {row} has {n} tokens but {len(item['rewards'])} rewards")
            rewards[row, :n] = torch.tensor(item["rewards"], dtype=torch.float32)
        # Groups can span processes: gather every process's rows, normalise per group, keep ours.
        width = self.accelerator.gather(torch.tensor([mask.shape[1]], device=mask.device)).max().item()
        pad = int(width) - mask.shape[1]
        all_rewards = self.accelerator.gather(torch.nn.functional.pad(rewards, (0, pad)))
        all_mask = self.accelerator.gather(torch.nn.functional.pad(mask, (0, pad)))
        mode = "train" if self.model.training else "eval"
        group = self.num_generations if mode == "train" else self.num_generations_eval
        advantages = capo_advantages(all_rewards, all_mask, group, self.capo_eps)
        start = self.accelerator.process_index * mask.shape[0]
        output["advantages"] = advantages[start : start + mask.shape[0], : mask.shape[1]]
        flagged = sum(any(s["wrongness"] > 0 for s in item["steps"]) for item in credit["items"])
        self._metrics[mode]["capo/flagged_fraction"].append(flagged / len(credit["items"]))
        self._metrics[mode]["capo/critique_failures"].append(float(credit["metrics"]["critiqueFailures"]))
        self.capo_last = {"rewards": rewards.cpu(), "mask": mask.cpu(), "advantages": output["advantages"].detach().cpu(), "credit": credit}
        return output
