"""Free-text analysis for staff: top Thai keywords by TF-IDF, each with the answers containing it.
Pure: works on a list of strings."""

from __future__ import annotations

import math
from collections import Counter

from civic import thai


def top_keywords(texts: list[str], *, limit: int = 15, examples: int = 3) -> list[dict]:
    """Each answer is a document; a term scores its summed TF-IDF over the answers, so words
    that every answer uses (or stop words) sink. Returns [{term, score, count, answers}]."""
    stop = thai.stopwords()
    docs: list[list[str]] = []
    for t in texts:
        tokens = [tok for tok in thai.tokenise(thai.normalise(thai.repair(t))) if tok not in stop]
        tokens = [tok for tok in tokens if len(tok) > 1 and not tok.isdigit()]
        docs.append(tokens)
    n = len(docs)
    if not n:
        return []
    df = Counter(term for d in docs for term in set(d))
    scores: Counter = Counter()
    for d in docs:
        if not d:
            continue
        tf = Counter(d)
        for term, c in tf.items():
            scores[term] += (c / len(d)) * (math.log((1 + n) / (1 + df[term])) + 1)
    out = []
    for term, score in scores.most_common(limit):
        containing = [texts[i] for i, d in enumerate(docs) if term in d]
        out.append(
            {"term": term, "score": round(score, 3), "count": df[term], "answers": containing[:examples]}
        )
    return out
