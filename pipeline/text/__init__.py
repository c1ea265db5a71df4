"""Indonesian text pipeline: cleaning, PII masking, tokenising, slang, stop words, stemming.

Every stage is a scikit-learn transformer so the whole pipeline pickles as one object.
"""

from pipeline.text.normalize import TextCleaner, clean_text, clean_text_aligned
from pipeline.text.pii import PiiMasker, mask_pii
from pipeline.text.tokens import (
    SlangNormalizer,
    Stemmer,
    StopwordFilter,
    Tokenizer,
    tokenize,
)

__all__ = [
    "PiiMasker",
    "SlangNormalizer",
    "Stemmer",
    "StopwordFilter",
    "TextCleaner",
    "Tokenizer",
    "clean_text",
    "clean_text_aligned",
    "mask_pii",
    "tokenize",
]
