"""What the explanation and highlighting need of a token, worked out once per distinct token text.

A complaint's explanation words and highlighted terms are found by walking its tokens; most token texts
repeat across complaints, so each one's normalised form and stem are kept here, per slang dictionary,
as :class:`~pipeline.document.Document`'s ``tokens`` / ``match_norms`` / ``token_stems`` compute them.
A token's view depends only on its normalised form, so a normalised token (``Document.token_norms``)
is a key with the same view as the raw text it came from.
"""

from __future__ import annotations

from pipeline.text import lexicon
from pipeline.text.tokens import collapse_elongation, stem_token

# per slang dictionary: token text → (normalised form, stem of its one-word standard form or None), as
# Document.tokens / match_norms / token_stems compute them
_TERM_VIEWS: dict[str | None, dict[str, tuple[str, str | None]]] = {}


def term_views(slang_dictionary_path: str | None) -> dict[str, tuple[str, str | None]]:
    views = _TERM_VIEWS.get(slang_dictionary_path)
    if views is None or len(views) > 500_000:  # bounded: hostile input cannot grow it without end
        views = _TERM_VIEWS[slang_dictionary_path] = {}
    return views


def term_view(raw: str, slang_dictionary_path: str | None) -> tuple[str, str | None]:
    norm = collapse_elongation(raw.lower())
    if norm in lexicon.stop_words() or norm.isdigit():
        return norm, None
    mapped = lexicon.slang_dictionary(slang_dictionary_path).get(norm)
    return norm, stem_token(mapped[0] if mapped is not None and len(mapped) == 1 else norm)
