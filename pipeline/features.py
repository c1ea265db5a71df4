"""Feature extraction for routing: the text pipeline composed into one scikit-learn Pipeline."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from pipeline.text import (
    PiiMasker,
    SlangNormalizer,
    Stemmer,
    StopwordFilter,
    TextCleaner,
    TokenJoiner,
    Tokenizer,
)

WORD_BLOCK = "word"


def identity(tokens):
    """Analyzer for pre-tokenised input (module-level so the pipeline pickles)."""
    return tokens


def word_ngrams(tokens, n: int = 2):
    out = list(tokens)
    for size in range(2, n + 1):
        out.extend(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))
    return out


def bigrams(tokens):
    return word_ngrams(tokens, 2)


def build_text_features(
    *,
    min_df: int = 2,
    char_ngram_range: tuple[int, int] = (2, 5),
    max_char_features: int | None = 200_000,
    slang_dictionary_path: str | None = None,
) -> Pipeline:
    """clean → mask PII → tokenise → slang → {stop words → stem → word uni+bigrams, char n-grams}.

    Word n-grams run on stems (robust to affixes); character n-grams on the unstemmed, slang-
    normalised tokens (robust to typos and to words the stemmer does not know).
    """
    words = Pipeline(
        [
            ("stop", StopwordFilter()),
            ("stem", Stemmer()),
            ("tfidf", TfidfVectorizer(analyzer=bigrams, min_df=min_df, sublinear_tf=True, dtype=np.float32)),
        ]
    )
    chars = Pipeline(
        [
            ("join", TokenJoiner()),
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=char_ngram_range,
                    min_df=min_df,
                    sublinear_tf=True,
                    max_features=max_char_features,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    return Pipeline(
        [
            ("clean", TextCleaner()),
            ("pii", PiiMasker()),
            ("tokens", Tokenizer()),
            ("slang", SlangNormalizer(slang_dictionary_path)),
            ("features", FeatureUnion([(WORD_BLOCK, words), ("char", chars)])),
        ]
    )
