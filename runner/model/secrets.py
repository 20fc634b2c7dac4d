"""What counts as a secret in anything ibrun prints of a spec or of its compiled config, and how it
is masked: `ibrun render`, `ibrun diff` and `ibrun config` share this one rule.

* `account_id` — it names the (possibly real-money) account; the guide lists TWS_ACCOUNT with
  the credentials, and rendered configs end up in tickets and CI logs;
* `username`/`password` — the docker credentials. In a spec they are SecretRefs (a variable's
  name or a file's path, shown as such); a value under such a key anywhere else is masked;
* any key that looks like a credential, anywhere, e.g. in a strategy's `config:` mapping.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "********"

_SECRET_KEY = re.compile(
    r"^(account_id|username|password)$|pass(word|phrase)|secret|token|api_?key|credential|private_?key",
    re.IGNORECASE,
)


# An environment variable's name that says it holds a secret (`TWS_PASSWORD`, `VNC_PW`,
# `API_TOKEN`); one ending in `_FILE` names a file (`TWS_PASSWORD_FILE`), which is no secret.
_SECRET_VARIABLE = re.compile(
    r"pass(word|wd|phrase)|secret|token|(^|_)pw(_|$)|api_?key|private_?key|credential", re.IGNORECASE
)


def is_secret_key(key: str) -> bool:
    return _SECRET_KEY.search(key) is not None


def is_secret_variable(name: str) -> bool:
    """An environment variable whose value is a secret, by its name (see `_SECRET_VARIABLE`)."""
    return not name.upper().endswith("_FILE") and _SECRET_VARIABLE.search(name) is not None


def is_revealing(value: Any) -> bool:
    """A value worth masking: null/empty values reveal nothing (masking them would hide that they
    are unset), and a mapping or list is masked key by key (a SecretRef is a reference)."""
    return value is not None and value != "" and not isinstance(value, dict | list)


def mask_secrets(value: Any) -> Any:
    """`value` (JSON-like data) with every revealing value under a secret key masked."""
    if isinstance(value, dict):
        return {
            name: MASK if is_secret_key(name) and is_revealing(item) else mask_secrets(item)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    return value
