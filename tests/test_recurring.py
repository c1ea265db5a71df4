"""Recurring-problem groups: one group for one problem, nothing unrelated in it, incremental, labels, trend."""

from __future__ import annotations

from pipeline.dedup import parse_time
from pipeline.recurring import RecurringComplaint, RecurringGrouper
from pipeline.recurring.trend import DAY, FALLING, RISING, STEADY, group_trend, rate_test
from fixtures.recurring import DRAIN, KEC, OTHERS


def complaint(row, unit="Dinas Sumber Daya Air"):
    key, when, text, kel, addr = row
    return RecurringComplaint(key, parse_time(when), text, kel, KEC, addr, unit)


def scenario():
    return sorted((complaint(r) for r in DRAIN + OTHERS), key=lambda c: c.time)


def test_five_differently_worded_reports_form_one_group_without_unrelated_ones():
    g = RecurringGrouper().fit(scenario())
    groups = g.summaries()
    drain = [s for s in groups if "d1" in s.complaint_ids]
    assert len(drain) == 1
    assert set(drain[0].complaint_ids) == {k for k, *_ in DRAIN}
    assert drain[0].kelurahan == "Kenanga"
    assert drain[0].first_at == parse_time(DRAIN[0][1]) and drain[0].last_at == parse_time(DRAIN[-1][1])
    for key, *_ in OTHERS:
        assert g.group_of(key) != drain[0].id


def test_label_is_readable_words_not_stems_or_place_names():
    s = next(s for s in RecurringGrouper().fit(scenario()).summaries() if "d1" in s.complaint_ids)
    words = s.label.split()
    assert 1 <= len(words) <= 4
    assert "saluran" in words or "banjir" in words or "mampet" in words
    assert "salur" not in words and "kenanga" not in words
    assert all(w.isalpha() for w in words)


def test_incremental_equals_batch_and_group_id_is_the_first_complaint():
    batch = RecurringGrouper().fit(scenario())
    inc = RecurringGrouper()
    for c in scenario():
        inc.add(c)
    assert [s.complaint_ids for s in inc.summaries()] == [s.complaint_ids for s in batch.summaries()]
    assert batch.group_of("d5") == "d1"


def test_two_groups_bridged_by_a_new_report_merge_under_the_older_id():
    g = RecurringGrouper(min_text=0.3)
    t0 = parse_time("2024-01-01 08:00")
    a = "Lampu jalan di gang 9 Kenanga mati, gelap dan rawan maling"
    # (b names another spot: the same lamp at the same address would be one group from the start)
    b = "Penerangan jalan umum dekat pos ronda padam total sejak minggu lalu"
    bridge = "Lampu jalan gang 9 Kenanga padam total, gelap, rawan maling sejak minggu lalu"
    for i, (text, address) in enumerate([(a, "Gg 9"), (a + " tolong", "Gg 9"), (b, "Pos ronda Kenanga"),
                                         (b + " mohon", "Pos ronda Kenanga")]):
        g.add(RecurringComplaint(f"x{i}", t0 + i * DAY, text, "Kenanga", KEC, address))
    before = {g.group_of(f"x{i}") for i in range(4)}
    result = g.add(RecurringComplaint("bridge", t0 + 10 * DAY, bridge, "Kenanga", KEC, ""))
    assert len(before) == 2
    assert result.group == "x0" and result.absorbed == ["x2"]
    assert {g.group_of(f"x{i}") for i in range(4)} == {"x0"}


def test_other_house_number_or_other_kelurahan_is_another_problem():
    t0 = parse_time("2024-01-01 08:00")
    g = RecurringGrouper()
    g.add(RecurringComplaint("a", t0, "Pipa PDAM bocor di depan rumah No. 45, air terbuang", "Kenanga", KEC, "No. 45"))
    assert g.add(RecurringComplaint("b", t0 + DAY, "Pipa PDAM bocor depan rumah No. 12, air terbuang terus",
                                    "Kenanga", KEC, "No. 12")).group is None
    assert g.add(RecurringComplaint("c", t0 + 2 * DAY, "Pipa PDAM bocor di depan rumah, air terbuang",
                                    "Mawar", KEC, "")).group is None


def test_a_problem_quiet_for_longer_than_the_window_starts_a_new_group():
    t0 = parse_time("2024-01-01 08:00")
    g = RecurringGrouper(window_days=90)
    g.add(RecurringComplaint("a", t0, "Saluran gang 3 mampet banjir", "Kenanga", KEC, "Gg 3"))
    assert g.add(RecurringComplaint("b", t0 + 100 * DAY, "Saluran gang 3 mampet lagi, banjir", "Kenanga", KEC,
                                    "Gg 3")).group is None


def test_answered_and_units_are_counted():
    cs = scenario()
    for c in cs:
        c.answered = c.id in ("d1", "d2")
    cs[-1].unit = "Kelurahan Kenanga"
    g = RecurringGrouper().fit(cs)
    s = next(s for s in g.summaries() if "d1" in s.complaint_ids)
    assert s.answered == 2
    g.mark_answered("d3")
    assert g.summary(g.groups_[s.id]).answered == 3
    assert s.units["Dinas Sumber Daya Air"] >= 4


# ------------------------------------------------------------------ trend

def test_rate_test_numbers():
    t = rate_test(9, 12, 30, 180)  # 2 expected from the baseline rate
    assert abs(t.expected - 2.0) < 1e-9 and abs(t.p_rising - 0.001419) < 1e-5 and t.ratio > 4
    t = rate_test(0, 30, 30, 90)
    assert t.p_falling < 0.001 and t.p_rising == 1.0


def test_group_trend_rising_steady_falling():
    day0 = parse_time("2024-01-01 00:00")
    as_of = day0 + 180 * DAY
    steady = [day0 + d * DAY for d in range(0, 180, 15)]  # one every 15 days
    assert group_trend(steady, as_of)[0] == STEADY
    rising = [day0 + d * DAY for d in (0, 60, 120)] + [as_of - d * DAY for d in (1, 3, 5, 8, 12, 20)]
    trend, test = group_trend(rising, as_of)
    assert trend == RISING and test.recent == 6
    falling = [day0 + d * DAY for d in range(0, 120, 4)]
    assert group_trend(falling, as_of)[0] == FALLING
    # all inside the recent period: new, rising once it has three reports
    assert group_trend([as_of - DAY * d for d in (1, 2, 3)], as_of)[0] == RISING
    assert group_trend([as_of - DAY], as_of)[0] == STEADY


# ------------------------------------------------------------------ rising topics

def _topic_history():
    """A year of steady complaints for two units; in the last 30 days a new 'vaksin booster' wave."""
    from pipeline.recurring.rising import TopicRecord

    t0 = parse_time("2024-01-01 00:00")
    out = []
    steady = ["Jalan berlubang di depan sekolah", "Lampu jalan mati di perempatan", "Sampah tidak diangkut"]
    for d in range(0, 210, 2):
        out.append(TopicRecord(f"s{d}", t0 + d * DAY, steady[d % 3], "Dinas PU", "Tegal"))
        out.append(TopicRecord(f"k{d}", t0 + d * DAY + 3600, "Antrian puskesmas lama sekali", "Dinas Kesehatan",
                               "Sawah"))
    for i in range(8):
        out.append(TopicRecord(f"v{i}", t0 + (185 + 3 * i) * DAY, "Stok vaksin booster habis di puskesmas",
                               "Dinas Kesehatan", "Sawah"))
    return out, t0 + 210 * DAY


def test_a_new_topic_rises_in_its_unit_and_kecamatan_and_steady_ones_do_not():
    from pipeline.recurring.rising import rising_topics

    records, as_of = _topic_history()
    found = rising_topics(records, as_of, recent_days=30, baseline_days=180)
    by_scope = {(t.scope, t.value): t for t in found}
    assert len(found) == 2  # "puskesmas" (steady, and in the wave too) and Dinas PU's topics are not rising
    assert set(by_scope) == {("opd", "Dinas Kesehatan"), ("kecamatan", "Sawah")}
    topic = by_scope[("opd", "Dinas Kesehatan")]
    assert set(topic.label.split()) >= {"vaksin", "booster"}  # co-rising words are one topic
    assert topic.recent == 8 and topic.baseline == 0 and topic.q_value < 0.05
    assert topic.complaint_ids == sorted(f"v{i}" for i in range(8))
    assert "sawah" not in by_scope[("kecamatan", "Sawah")].label.split()


def test_no_history_means_nothing_is_rising():
    from pipeline.recurring.rising import TopicRecord, rising_topics

    t0 = parse_time("2024-01-01 00:00")
    records = [TopicRecord(f"v{i}", t0 + i * DAY, "Stok vaksin habis", "Dinas Kesehatan", "Sawah") for i in range(9)]
    assert rising_topics(records, t0 + 10 * DAY) == []


def test_restore_reproduces_memberships_without_relinking():
    first = RecurringGrouper().fit(scenario())
    restored = RecurringGrouper()
    for c in scenario():
        restored.add(c, first.group_of(c.id), restore=True)
    assert [s.complaint_ids for s in restored.summaries()] == [s.complaint_ids for s in first.summaries()]
    # and it keeps linking new complaints from there
    late = RecurringComplaint("d6", parse_time("2024-11-20 07:00"), "Saluran gang 3 mampet lagi, banjir masuk rumah",
                              "Kenanga", KEC, "Gg 3")
    assert restored.add(late).group == "d1"
