"""Problem classes of a complaint: words in any form, conflict only when both name one and share none."""

from __future__ import annotations

from pipeline.dedup import problems
from pipeline.document import Document


def mask(text: str) -> int:
    return problems.problem_mask(Document(text))


def test_inflected_and_slang_forms_name_the_same_class():
    assert mask("lampu PJU padam") & mask("penerangan jalan mati")
    assert mask("mohon pemangkasan pohon") & mask("perantingan pohon mangga")
    assert mask("jalan berlubang") & mask("aspal jalan ambles")


def test_conflict_needs_two_named_problems_that_share_nothing():
    light, road, unknown = mask("PJU padam"), mask("jalan berlubang"), mask("mohon bantuannya segera")
    assert light and road and not unknown
    assert problems.conflict(light, road) == 1.0
    assert problems.conflict(light, light | road) == 0.0
    assert problems.conflict(light, unknown) == 0.0


def test_class_names_come_from_the_resource_file():
    names = problems.class_names()
    assert "lighting" in names and "road" in names and len(names) == len(set(names)) <= 32


def test_features_without_a_mask_derive_it_from_their_terms():
    from pipeline.dedup import ComplaintFeatures

    built = ComplaintFeatures.build("1", 0.0, "Lampu PJU padam dan jalan berlubang di gang 3")
    assert built.problems == mask("Lampu PJU padam dan jalan berlubang") != 0
    stored = ComplaintFeatures(id="1", time=0.0, exact=built.exact, terms=built.terms, place=built.place,
                               numbers=built.numbers, kelurahan=0, kecamatan=0)  # as read from a database row
    assert stored.problems == built.problems
