"""Which alert URLs may be written inline in a spec (pure: used by validation and the run).

Apprise URLs of chat and mail services carry their credentials (`slack://TokenA/TokenB/TokenC`,
`tgram://BOT_TOKEN/CHAT_ID`, `mailtos://user:password@host`): a spec must name them by
reference (`{env: VAR}` / `{file: PATH}`). Only plain webhooks without a password or a
token-looking query parameter may be inline.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

INLINE_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SECRET_PARAM = re.compile(r"token|key|secret|pass|auth|sig", re.IGNORECASE)


def scheme_of(url: str) -> str | None:
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


def inline_url_problem(url: str) -> str | None:
    """Why ``url`` must not be written inline (None: it may)."""
    scheme = scheme_of(url)
    if scheme is None:
        return "expected an Apprise URL such as json://127.0.0.1:8080/alerts"
    if scheme not in INLINE_SCHEMES:
        return f"a {scheme}:// URL carries its credentials: write it as {{env: VAR}} or {{file: PATH}}"
    parts = urlsplit(url)
    if parts.password:
        return "this URL carries a password: write it as {env: VAR} or {file: PATH}"
    if any(_SECRET_PARAM.search(name) for name, _ in parse_qsl(parts.query)):
        return "this URL carries a token in its query: write it as {env: VAR} or {file: PATH}"
    return None
