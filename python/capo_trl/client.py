"""HTTP client of capo's credit service (schema version 1, see docs/credit.md). Standard library only."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any, Sequence

SCHEMA_VERSION = 1


class CreditError(RuntimeError):
    """The credit service failed or answered with an error; the message says what to do."""


def token_offsets(tokenizer: Any, ids: Sequence[int]) -> tuple[str, list[tuple[int, int]]]:
    """Decodes `ids` and returns the text with each token's character span in it.

    Spans come from decoding growing prefixes, so they match the text the trainer decodes
    (special tokens such as EOS are skipped and get a zero-width span at the end).
    Cost is quadratic in the length; fine for completions of a few thousand tokens.
    """
    text = tokenizer.decode(list(ids), skip_special_tokens=True)
    offsets: list[tuple[int, int]] = []
    previous = 0
    for t in range(len(ids)):
        end = len(tokenizer.decode(list(ids[: t + 1]), skip_special_tokens=True))
        # A prefix can decode shorter than its parent (a partial UTF-8 character); keep spans monotone.
        end = max(end, previous)
        offsets.append((previous, end))
        previous = end
    return text, offsets


class CreditClient:
    """Posts batches to `{url}/v1/credit`.

    Args:
        url: Base URL printed by `deno task credit:serve`, e.g. "http://127.0.0.1:8930".
        token_env: Name of the environment variable holding the bearer token (never the token).
        timeout_s: Per-request timeout in seconds.
        retries: Retries after the first attempt on connection errors and 5xx answers.
    """

    def __init__(self, url: str, token_env: str | None = None, timeout_s: float = 600.0, retries: int = 2):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.retries = retries
        self._token = os.environ.get(token_env, "") if token_env else ""
        if token_env and not self._token:
            raise CreditError(f"Cannot use the credit service: environment variable {token_env} is empty; set the bearer token there")

    def score(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Scores items `{prompt, response, offsets, gold, id?}`; returns the response body."""
        body = json.dumps({"version": SCHEMA_VERSION, "items": items}).encode()
        headers = {"content-type": "application/json"}
        if self._token:
            headers["authorization"] = f"Bearer {self._token}"
        last = ""
        for _attempt in range(self.retries + 1):
            request = urllib.request.Request(f"{self.url}/v1/credit", data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    out = json.loads(response.read())
                if out.get("version") != SCHEMA_VERSION or len(out.get("items", [])) != len(items):
                    raise CreditError(f"Cannot read the credit response from {self.url}: expected version {SCHEMA_VERSION} with {len(items)} items")
                return out
            except urllib.error.HTTPError as error:
                detail = error.read().decode(errors="replace")[:300]
                last = f"HTTP {error.code}: {detail}"
                if error.code < 500:
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                last = str(error)
        raise CreditError(f"Cannot score {len(items)} completions at {self.url}/v1/credit ({last}); is `deno task credit:serve` running?")
