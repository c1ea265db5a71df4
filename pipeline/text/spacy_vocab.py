"""spaCy's Indonesian vocabulary for the matchers, without building a whole pipeline.

The area gazetteer's matcher (and the screening rules' tests, as their oracle) run on ``Doc`` objects built from the project's own
tokens; they need only a ``Vocab`` with the Indonesian lexical attributes (``LIKE_NUM``, ``IS_ALPHA`` …).
``spacy.blank("id")`` builds the same vocabulary plus a tokenizer with thousands of special cases, which
costs seconds per process and is never used here.
"""

from __future__ import annotations


def indonesian_vocab():
    """A fresh ``Vocab`` with the lexical attributes of ``spacy.blank("id").vocab``."""
    from spacy.lang.id import Indonesian
    from spacy.vocab import create_vocab

    return create_vocab("id", Indonesian.Defaults)
