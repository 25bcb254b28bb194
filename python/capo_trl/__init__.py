"""CAPO per-token credit for TRL.

`CapoGRPOTrainer` is TRL's `GRPOTrainer` with its scalar group advantages replaced by CAPO's
per-token advantages: each completion's tokens get rewards from capo's credit service
(`deno task credit:serve`: verifier + k voted critiques, R_t = W_whole * r_v - W_process * v_t),
normalised over the pool of every response token of the group (CAPO, arXiv 2508.02298, section 3).
"""

from .client import CreditClient, CreditError, token_offsets
from .trainer import CapoCreditReward, CapoGRPOTrainer, capo_advantages

__all__ = [
    "CapoCreditReward",
    "CapoGRPOTrainer",
    "CreditClient",
    "CreditError",
    "capo_advantages",
    "token_offsets",
]
