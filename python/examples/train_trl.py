"""Train a policy with TRL's GRPO and CAPO per-token credit from capo's credit service.

    deno task credit:serve --port 8930 --k 4 --vote-rule majority &      # or --critic.baseUrl ...
    python python/examples/train_trl.py --model Qwen/Qwen2.5-0.5B-Instruct \
        --data data/gsm8k_train.jsonl --credit-url http://127.0.0.1:8930
    # several GPUs: accelerate launch --num_processes 4 python/examples/train_trl.py ...

The data file is JSONL with `question` and `answer` fields (the gold final answer).
"""

import argparse
import json

from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import GRPOConfig

from capo_trl import CapoGRPOTrainer

SYSTEM = "Solve the problem step by step. Separate steps with a blank line. End with \\boxed{answer}."


def read_jsonl(path: str) -> Dataset:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append({
                    "prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": row["question"]}],
                    "answer": str(row["answer"]),
                })
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise SystemExit(f"Cannot read line {n} of {path}: expected a JSON object with question and answer ({error})")
    return Dataset.from_list(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--credit-url", default="http://127.0.0.1:8930")
    p.add_argument("--credit-token-env", default=None, help="name of the env var holding the bearer token")
    p.add_argument("--output-dir", default="runs/trl")
    p.add_argument("--num-generations", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=8, help="per device; a multiple of --num-generations overall")
    p.add_argument("--max-completion-length", type=int, default=512)
    p.add_argument("--learning-rate", type=float, default=1e-6)
    p.add_argument("--max-steps", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    tokenizer = AutoTokenizer.from_pretrained(a.model)
    trainer = CapoGRPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(a.model),
        processing_class=tokenizer,
        args=GRPOConfig(
            output_dir=a.output_dir, num_generations=a.num_generations, per_device_train_batch_size=a.batch_size,
            max_completion_length=a.max_completion_length, learning_rate=a.learning_rate, max_steps=a.max_steps,
            logging_steps=1, report_to="tensorboard", seed=a.seed,
        ),
        train_dataset=read_jsonl(a.data),
        credit_url=a.credit_url,
        credit_token_env=a.credit_token_env,
    )
    trainer.train()


if __name__ == "__main__":
    main()
