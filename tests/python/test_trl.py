"""Opt-in TRL check (run by `deno task test:trl`): two GRPO steps of a tiny random Qwen2 with
CAPO per-token advantages from a running credit service.

The tokenizer's words are whole arithmetic steps ("2+2=5\\n\\n"), so random sampling writes
multi-step responses whose wrong claims the reference critic flags. Asserts that inside a
response with a voted-wrong step the per-token advantages differ, and that they equal CAPO's
pool normalisation recomputed here from the service's rewards.
"""

import argparse
import math
import sys
import tempfile

import torch
from datasets import Dataset
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
from trl import GRPOConfig

from capo_trl import CapoGRPOTrainer

STEPS = ["1+1=2\n\n", "1+1=3\n\n", "2+2=4\n\n", "2+2=5\n\n", "3+1=4\n\n", "\\boxed{4}", "\\boxed{5}"]
WORDS = ["What", "is", "two", "plus", "two?"]


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    vocab = {w: i for i, w in enumerate(["<pad>", "<eos>", "<unk>", *WORDS, *STEPS])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.Fuse()  # concatenate: step tokens carry their own separators
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--credit-url", required=True)
    args = parser.parse_args()
    torch.manual_seed(0)
    tokenizer = tiny_tokenizer()
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, bos_token_id=None,
    )
    model = Qwen2ForCausalLM(config)
    data = Dataset.from_dict({"prompt": ["What is two plus two?"] * 8, "answer": ["4"] * 8})
    history = []

    class Recording(CapoGRPOTrainer):
        def _generate_and_score_completions(self, inputs):
            out = super()._generate_and_score_completions(inputs)
            history.append(self.capo_last)
            return out

    with tempfile.TemporaryDirectory() as tmp:
        trainer = Recording(
            model=model,
            processing_class=tokenizer,
            args=GRPOConfig(
                output_dir=tmp, max_steps=2, per_device_train_batch_size=4, num_generations=4,
                max_completion_length=6, learning_rate=1e-3, logging_steps=1, report_to="none",
                use_cpu=True, save_strategy="no", seed=0, temperature=1.0,
            ),
            train_dataset=data,
            credit_url=args.credit_url,
        )
        trainer.train()
    assert trainer.state.global_step == 2, trainer.state.global_step
    assert len(history) >= 2, f"expected 2 scored batches, got {len(history)}"
    differing = 0
    for batch, rec in enumerate(history):
        rewards, mask, adv = rec["rewards"], rec["mask"].float(), rec["advantages"]
        for g in range(0, rewards.shape[0], 4):
            pool = rewards[g : g + 4][mask[g : g + 4] > 0].double()
            mean, std = pool.mean().item(), pool.std(unbiased=False).item()
            for row in range(g, g + 4):
                n = int(mask[row].sum())
                expect = [(r - mean) / (std + 1e-6) for r in rewards[row, :n].tolist()]
                got = adv[row, :n].tolist()
                assert all(math.isclose(a, b, abs_tol=1e-4) for a, b in zip(got, expect)), (row, got, expect)
                item = rec["credit"]["items"][row]
                wrong = [s["index"] for s in item["steps"] if s["wrongness"] > 0]
                if wrong and max(got) - min(got) > 1e-3:
                    differing += 1
                    if differing == 1:
                        print(f"batch {batch} row {row}: response {rec['credit']['requests'][row]['response']!r}")
                        print(f"  voted-wrong steps {wrong}, outcome {item['outcome']}")
                        print(f"  token rewards {[round(r, 3) for r in rewards[row, :n].tolist()]}")
                        print(f"  token advantages {[round(a, 3) for a in got]}")
    losses = [log["loss"] for log in trainer.state.log_history if "loss" in log]
    flagged = [log.get("capo/flagged_fraction") for log in trainer.state.log_history if "loss" in log]
    print(f"steps {trainer.state.global_step}, losses {losses}, flagged fraction {flagged}")
    print(f"responses with a voted-wrong step and differing per-token advantages: {differing}")
    assert differing >= 1, "no response had a voted-wrong step with differing per-token advantages"
    print("TRL CAPO check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
