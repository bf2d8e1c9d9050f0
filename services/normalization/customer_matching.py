"""Ship-to names (ZEMM004, as typed by sales) matched to the customer master (ZSDR010).

Names and aliases are compared after normalising case, accents, punctuation and legal suffixes,
with rapidfuzz's `fuzz.ratio` (the normalised Indel similarity, 0-100). A batch is matched in
three steps so that 10,000 lines against 5,000 customers stays well under a second:
1. each distinct ship-to name is normalised once (a batch repeats its customers);
2. a normalised name equal to a normalised customer name or alias is an exact match (score 100);
3. the remaining names are scored against every choice at once with `process.cdist`, in chunks
   that bound memory, and each takes its best-scoring choice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from rapidfuzz import fuzz, process

from contracts.datasets import CustomerRow, MatchStatus

# Legal forms dropped from the end of a name, longest first; dots are removed before this, so
# "S.A. de C.V." reads "sa de cv" and "L.L.C." reads "llc".
LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(suffix.split())
            for suffix in (
                "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "co", "company",
                "corp", "corporation", "plc", "pty", "gmbh", "ag", "kg", "gmbh and co kg", "sa",
                "sas", "sarl", "srl", "spa", "sa de cv", "s de rl", "bv", "nv", "ab", "oy",
                "jsc", "ltee", "ulc",
            )
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
_SCORE_CELLS_PER_CHUNK = 4_000_000  # float32 scores held at once: 16 MB


def normalise_name(name: str) -> str:
    """Lower-case ASCII words without punctuation or trailing legal forms.

    "Acme Furniture, Inc." and "ACME FURNITURE" both read "acme furniture"; "Maison Confort
    Ltée" reads "maison confort". A name made only of a legal form keeps it.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    text = text.replace("&", " and ").replace(".", "").replace("'", "")
    words = [word for word in _NOT_ALPHANUMERIC.split(text) if word]
    stripped = True
    while stripped:
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                del words[-len(suffix) :]
                stripped = True
                break
    return " ".join(words)


@dataclass(frozen=True)
class MatchThresholds:
    """DOMAIN.md §2: ≥ 92 matched; 80 up to 92 matched but flagged for review; below unmatched."""

    matched: Decimal = Decimal(92)
    review: Decimal = Decimal(80)

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.review <= self.matched <= Decimal(100):
            raise ValueError(
                f"customer match thresholds must satisfy 0 <= review ({self.review}) <= "
                f"matched ({self.matched}) <= 100"
            )

    def status(self, score: Decimal) -> MatchStatus:
        if score >= self.matched:
            return MatchStatus.MATCHED
        return MatchStatus.REVIEW if score >= self.review else MatchStatus.UNMATCHED


@dataclass(frozen=True)
class CustomerMatch:
    """The best customer for a ship-to name; `score` is kept even when it is too low to use."""

    status: MatchStatus
    score: Decimal | None
    customer_id: str | None = None
    matched_name: str | None = None


_NO_CUSTOMERS = CustomerMatch(MatchStatus.UNMATCHED, None)
_EXACT = Decimal("100.00")


class CustomerMatcher:
    """Matches ship-to names against the names and aliases of the active customers."""

    def __init__(
        self, customers: Iterable[CustomerRow], thresholds: MatchThresholds | None = None
    ) -> None:
        self._thresholds = thresholds or MatchThresholds()
        self._choices: list[str] = []  # normalised names and aliases, one entry each
        self._owners: list[tuple[str, str]] = []  # (customer_id, name as written) per choice
        self._exact: dict[str, int] = {}
        # Sorted so that two customers sharing a name always resolve to the same one.
        for customer in sorted(customers, key=lambda row: row.customer_id):
            if not customer.active:
                continue
            for written in (customer.name, *customer.aliases):
                choice = normalise_name(written)
                if choice and choice not in self._exact:
                    self._exact[choice] = len(self._choices)
                    self._choices.append(choice)
                    self._owners.append((customer.customer_id, written))

    def match(self, ship_to_names: Iterable[str]) -> dict[str, CustomerMatch]:
        """The best match of every distinct name, keyed by the name as given."""
        normalised = {name: normalise_name(name) for name in set(ship_to_names)}
        if not self._choices:
            return dict.fromkeys(normalised, _NO_CUSTOMERS)
        fuzzy = sorted({key for key in normalised.values() if key not in self._exact})
        best = {key: (index, _EXACT) for key, index in self._exact.items()}
        best.update(self._best_fuzzy(fuzzy))
        return {name: self._result(*best[key]) for name, key in normalised.items()}

    def _best_fuzzy(self, keys: Sequence[str]) -> dict[str, tuple[int, Decimal]]:
        found: dict[str, tuple[int, Decimal]] = {}
        rows_per_chunk = max(1, _SCORE_CELLS_PER_CHUNK // len(self._choices))
        for start in range(0, len(keys), rows_per_chunk):
            chunk = keys[start : start + rows_per_chunk]
            scores = process.cdist(chunk, self._choices, scorer=fuzz.ratio, dtype=np.float32)
            columns = scores.argmax(axis=1)
            for key, column, score in zip(
                chunk, columns, scores[np.arange(len(chunk)), columns], strict=True
            ):
                found[key] = (int(column), Decimal(f"{score:.2f}"))
        return found

    def _result(self, choice: int, score: Decimal) -> CustomerMatch:
        status = self._thresholds.status(score)
        if status is MatchStatus.UNMATCHED:
            return CustomerMatch(status, score)
        customer_id, written = self._owners[choice]
        return CustomerMatch(status, score, customer_id, written)
