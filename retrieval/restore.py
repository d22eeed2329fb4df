"""Restore diacritics of an unaccented query from the corpus' vocabulary and a general one.

e5 embeds "the bao hiem y te" far from "thẻ bảo hiểm y tế"; restoring the accents before
encoding lifts unaccented hit@1 from 0.44 (folded vs folded) to 0.77 on the dev set
(docs/retrieval.md).

Each folded word can be several words ("mua" is mua, mưa or múa; "bao" is bao, bão, bảo or
báo). The accented sentence is the most likely path under a bigram model of accented words
(Viterbi), the bigram probabilities interpolated with how often each accented form stands for
its folded word. A greedy longest n-gram match (the first version) restored "mua bao hiem y
te" as "mưa bão hiểm y tế" because "mua bao" matched the storm entries first.

The counts come from the FAQ corpus (phrasings and answers) **plus a general background**
(:mod:`retrieval.vocabulary`: the project's other texts and a Vietnamese word list), weighted
lower than the corpus: with the corpus alone, a word the FAQ never uses gets the accents of one
it does ("can ho chung cu" → "cần hỗ chứng cứ" instead of "căn hộ chung cư").

:meth:`DiacriticRestorer.restore_confident` also says how sure each word is (the posterior of
its form over all paths, forward–backward), so a caller can keep the folded word where the
model hesitates instead of encoding a confident-looking wrong accent.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from vitext import fold, has_diacritics, nfc

__all__ = ["DiacriticRestorer", "LanguageCounts"]

_WORD_RE = re.compile(r"\w+")
_START = "<s>"
_MIX = 1.0  # scale of the Witten-Bell weight of the unigram model (interpolated smoothing)


@dataclass
class LanguageCounts:
    """Weighted counts: folded word → accented forms, accented unigrams and bigrams."""

    forms: dict[str, dict[str, float]] = field(default_factory=dict)
    bigrams: dict[tuple[str, str], float] = field(default_factory=dict)
    unigrams: dict[str, float] = field(default_factory=dict)

    def add_text(self, text: str, *, weight: float = 1.0, sentence: bool = True) -> None:
        """Count the words of one accented text; ``sentence=False`` for a word-list entry
        (no sentence-start bigram: the entry is not where sentences begin)."""
        words = _WORD_RE.findall(nfc(text).lower())
        if not words or weight <= 0:
            return
        previous = _START if sentence else ""
        if sentence:
            self.unigrams[_START] = self.unigrams.get(_START, 0.0) + weight
        for word in words:
            forms = self.forms.setdefault(fold(word), {})
            forms[word] = forms.get(word, 0.0) + weight
            self.unigrams[word] = self.unigrams.get(word, 0.0) + weight
            if previous:
                pair = (previous, word)
                self.bigrams[pair] = self.bigrams.get(pair, 0.0) + weight
            previous = word

    @classmethod
    def from_texts(cls, texts: Iterable[str], *, weight: float = 1.0) -> LanguageCounts:
        counts = cls()
        for text in texts:
            if has_diacritics(text):  # an unaccented phrasing would teach "o dau" for "ở đâu"
                counts.add_text(text, weight=weight)
        return counts

    def merged(self, other: LanguageCounts) -> LanguageCounts:
        """A new object with both counts added (neither operand changes)."""
        forms: defaultdict[str, dict[str, float]] = defaultdict(dict)
        for source in (self.forms, other.forms):
            for folded, accented in source.items():
                target = forms[folded]
                for form, n in accented.items():
                    target[form] = target.get(form, 0.0) + n
        bigrams = dict(self.bigrams)
        for pair, n in other.bigrams.items():
            bigrams[pair] = bigrams.get(pair, 0.0) + n
        unigrams = dict(self.unigrams)
        for word, n in other.unigrams.items():
            unigrams[word] = unigrams.get(word, 0.0) + n
        return LanguageCounts(dict(forms), bigrams, unigrams)


class DiacriticRestorer:
    """Most likely accented word sequence of a folded text under weighted bigram counts."""

    def __init__(self, counts: LanguageCounts) -> None:
        self._forms = counts.forms
        self._bigrams = counts.bigrams
        self._unigrams = counts.unigrams
        self._total = max(sum(counts.unigrams.values()), 1.0)
        # Witten-Bell: how many different words follow a word (a weighted pair counts at most 1)
        self._followers: dict[str, float] = {}
        for (previous, _), n in counts.bigrams.items():
            self._followers[previous] = self._followers.get(previous, 0.0) + min(n, 1.0)

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], *, background: LanguageCounts | None = None
    ) -> DiacriticRestorer:
        """Counts of the accented ``texts`` (the corpus), plus ``background`` if given."""
        counts = LanguageCounts.from_texts(texts)
        return cls(counts.merged(background) if background is not None else counts)

    def __len__(self) -> int:
        return len(self._forms)

    def _log_p(self, previous: str, word: str) -> float:
        prior = self._unigrams.get(word, 0.0) / self._total
        pair = self._bigrams.get((previous, word), 0.0)
        # Witten-Bell: a word followed by many different words leaves more to unseen pairs
        # (a constant weight made "tôi" + any unseen word nearly impossible)
        mix = _MIX * max(self._followers.get(previous, 0.0), 1.0)
        return math.log((pair + mix * prior) / (self._unigrams.get(previous, 0.0) + mix))

    def _lattice(self, text: str) -> list[list[str]]:
        """Candidate forms per word: a word that already has its accents (an expanded
        abbreviation: "bhyt" → "bảo hiểm y tế") keeps them; an unknown word is its own only
        candidate."""
        return [
            [word] if has_diacritics(word) else list(self._forms.get(word) or (word,))
            for word in _WORD_RE.findall(nfc(text).lower())
        ]

    def _step(self, previous: str, word: str, known: bool) -> float:
        # an unknown word carries every path unchanged (no evidence either way)
        return self._log_p(previous, word) if known else 0.0

    def restore(self, text: str) -> str:
        """'the bhyt het han' → 'thẻ bhyt hết hạn' (unknown words stay as they are, lower case)."""
        lattice = self._lattice(text)
        # best[form] = (log probability of the best path ending in form, that path)
        best: dict[str, tuple[float, list[str]]] = {_START: (0.0, [])}
        for forms in lattice:
            known = forms[0] in self._unigrams
            if not known:
                score, path = max(best.values(), key=lambda sp: sp[0])
                best = {forms[0]: (score, [*path, forms[0]])}
                continue
            step: dict[str, tuple[float, list[str]]] = {}
            for form in forms:
                score, path = max(
                    (s + self._step(prev, form, known), p) for prev, (s, p) in best.items()
                )
                step[form] = (score, [*path, form])
            best = step
        return " ".join(max(best.values(), key=lambda sp: sp[0])[1])

    def posteriors(self, text: str) -> list[tuple[str, float]]:
        """Per word: the Viterbi form and its posterior probability over all paths
        (forward–backward on the same bigram model; 1.0 where there is no alternative)."""
        lattice = self._lattice(text)
        if not lattice:
            return []
        path = self.restore(text).split(" ")
        known = [forms[0] in self._unigrams for forms in lattice]
        prevs: list[list[str]] = [[_START], *lattice[:-1]]
        alpha: list[dict[str, float]] = []
        for i, forms in enumerate(lattice):
            before = alpha[i - 1] if i else {_START: 0.0}
            alpha.append(
                {
                    f: _logsumexp(
                        [before[p] + self._step(p, f, known[i]) for p in prevs[i]]
                        if known[i]
                        else list(before.values())
                    )
                    for f in forms
                }
            )
        beta: list[dict[str, float]] = [{} for _ in lattice]
        beta[-1] = dict.fromkeys(lattice[-1], 0.0)
        for i in range(len(lattice) - 2, -1, -1):
            nxt = lattice[i + 1]
            beta[i] = {
                f: _logsumexp(
                    [self._step(f, g, known[i + 1]) + beta[i + 1][g] for g in nxt]
                    if known[i + 1]
                    else [beta[i + 1][nxt[0]]]
                )
                for f in lattice[i]
            }
        total = _logsumexp([alpha[-1][f] + beta[-1][f] for f in lattice[-1]])
        return [
            (form, math.exp(alpha[i][form] + beta[i][form] - total) if len(lattice[i]) > 1 else 1.0)
            for i, form in enumerate(path)
        ]

    def restore_confident(self, text: str, *, min_posterior: float) -> str:
        """The restored text with every word whose posterior is below ``min_posterior`` left
        folded (as typed): "keep what the user wrote" where the model hesitates."""
        typed = _WORD_RE.findall(nfc(text).lower())
        return " ".join(
            form if p >= min_posterior else word
            for (form, p), word in zip(self.posteriors(text), typed, strict=True)
        )


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))
