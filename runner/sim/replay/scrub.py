"""Personal fields out of a recording: account ids (learned from managedAccounts and recognised by
IB's shapes U…, DU…, F…, DF…) become placeholders of the same kind (DU123456 → DU0000001),
everywhere they appear, also inside error texts; family codes and the white-branding id are
blanked. The mapping is per recording and consistent, so a replay still sees one account."""

from __future__ import annotations

import re

ACCOUNT = re.compile(r"\b(DU|DF|U|F)(\d{4,9})\b")
MANAGED_ACCOUNTS, FAMILY_CODES, USER_INFO = "15", "78", "107"


class Scrubber:
    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}
        """real account → placeholder."""

    def _placeholder(self, match: re.Match[str]) -> str:
        real = match.group(0)
        if real not in self.accounts:
            self.accounts[real] = f"{match.group(1)}{len(self.accounts) + 1:07d}"
        return self.accounts[real]

    def _text(self, text: str) -> str:
        return ACCOUNT.sub(self._placeholder, text) if any(c.isdigit() for c in text) else text

    def fields(self, fields: list[str]) -> list[str]:
        """The fields to write (the traffic itself is passed on unchanged)."""
        msg = fields[0] if fields else ""
        scrubbed = [self._text(value) for value in fields]
        if msg == FAMILY_CODES:  # [78, count, (account, code)...]
            scrubbed = scrubbed[:2] + [v if i % 2 == 0 else "" for i, v in enumerate(scrubbed[2:])]
        elif msg == USER_INFO and len(scrubbed) > 2:
            scrubbed[2] = ""
        return scrubbed
