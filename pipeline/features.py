"""Old import path of the feature functions, kept so that models pickled before the routing package load."""

from pipeline.routing.features import WORD_BLOCK, bigrams, build_text_features, identity, word_ngrams  # noqa: F401
from pipeline.text.ngrams import CharNgramTfidf, char_wb_ngrams, token_char_ngrams  # noqa: F401
