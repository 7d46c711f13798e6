"""Time-frame phrases of registry outcomes and how they are read: the DOMAIN.md classes (a)-(g).

The table holds the five seeds' time frames, phrases seen in public ClinicalTrials.gov records while building the
importer (NCT ids where noted) and wordings common in registry records ("registry wording"). Each expected reading is
``describe()``'s canonical form: kind, anchor (``infusion#2`` = the second infusion, ``default`` = the outcome's own
reference event), offset (``day N`` when written as "Day N"), window; ``unparsed`` marks what is kept as a TODO.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedsim.importer.timeframe.parse import describe, parse_time_frame
from schedsim.importer.timeframe.words import anchor_of, normalise, split_pieces

PHRASES = [
    ('after induction therapy',
     'point end(induction)',
     'seed 000'),
    ('1 month after the first CAR-T cell transfusion',
     'point infusion#1 +1mo',
     'seed 000'),
    ('the consolidation therapy ends',
     'point end(consolidation)',
     'seed 000'),
    ('6 months after the second CAR-T cell transfusion',
     'point infusion#2 +6mo',
     'seed 000'),
    ('12 months after the second CAR-T cell transfusion',
     'point infusion#2 +12mo',
     'seed 001'),
    (('after induction therapy, 1 month after the first CAR-T cell transfusion, the consolidation'
      ' therapy ends, 6 months after the second CAR-T cell transfusion'),
     'point end(induction); point infusion#1 +1mo; point end(consolidation); point infusion#2 +6mo',
     'seed 000'),
    ('2 year',
     'horizon default +2y',
     'seed 000'),
    ('1 year',
     'horizon default +1y',
     'seed 000'),
    ('2 years',
     'horizon default +2y',
     'seed 003'),
    ('1 years',
     'horizon default +1y',
     'seed 003'),
    ('6 months',
     'horizon default +6mo',
     'seed 003'),
    ('3 months',
     'horizon default +3mo',
     'seed 003'),
    ('12 weeks',
     'horizon default +12w',
     'seed 004'),
    ('12 months after CT0596 infusion',
     'point infusion#1 +12mo',
     'seed 002'),
    ('12 months after CT0596 infusion]',
     'point infusion#1 +12mo',
     'seed 002'),
    ('28 days post infusion',
     'point infusion#1 +28d',
     'NCT05302648'),
    ('2 years post infusion',
     'point infusion#1 +2y',
     'NCT05302648'),
    (('From randomization to death from any cause, PD, failure to achieve CR or PR by 9 weeks '
      'post randomization, or start of new antineoplastic therapy due to efficacy concerns, '
      'whichever occurs first (Up to 36 months)'),
     'from randomization; until randomization +36mo until death',
     'NCT03575351'),
    ('5 years',
     'horizon default +5y',
     'NCT00288626'),
    ('at day 60 post-ASCT',
     'point transplant#1 day 60',
     'NCT03187223'),
    ('Day 1, 14 and 30 of ASCT',
     'point transplant#1 day 1; point transplant#1 day 14; point transplant#1 day 30',
     'NCT02274519'),
    ('Day 28 post infusion',
     'point infusion#1 day 28',
     'DOMAIN.md (a)'),
    ('day +100',
     'point default day 100',
     'DOMAIN.md (a)'),
    ('Day 0 through Day 28',
     'from default day 0; to default day 28',
     'DOMAIN.md (b)'),
    ('Baseline to 2 months post-transplant',
     'from baseline; to transplant#1 +2mo',
     'DOMAIN.md (b)'),
    ('up to 2 years',
     'horizon default +2y',
     'DOMAIN.md (c)'),
    ('until date of death',
     'until horizon until death',
     'DOMAIN.md (f)'),
    ('through study completion, an average of 2 years',
     'until default +2y until study end',
     'DOMAIN.md (f)'),
    ('Through study completion, an average of 1 year',
     'until default +1y until study end',
     'ClinicalTrials.gov data-entry example'),
    ('28±7days',
     'point default day 28 -7d/+7d',
     'DOMAIN.md (g)'),
    ('Day 28 ± 7 days',
     'point default day 28 -7d/+7d',
     'registry wording'),
    ('Week 12 +/- 7 days',
     'point default +12w -7d/+7d',
     'registry wording'),
    ('Day 100 (window -7 to +14 days)',
     'point default day 100 -7d/+14d',
     'registry wording'),
    ('1, 3, 6 and 12 months after infusion',
     'point infusion#1 +1mo; point infusion#1 +3mo; point infusion#1 +6mo; point infusion#1 +12mo',
     'registry wording'),
    (('From date of randomization until the date of first documented progression or date of death'
      ' from any cause, whichever came first, assessed up to 100 months'),
     'from randomization; until randomization +100mo until progression',
     'registry wording'),
    ('Cycle 1 Day 1',
     'point start(C1) day 1',
     'registry wording'),
    ('Baseline, Week 4, Week 8 and Week 12',
     'point baseline; point default +4w; point default +8w; point default +12w',
     'registry wording'),
    ('within 30 days after the last dose',
     'horizon last_dose +30d',
     'registry wording'),
    ('24 hours post infusion',
     'point infusion#1 +1d',
     'registry wording'),
    ('Month 3, Month 6, Month 12',
     'point default +3mo; point default +6mo; point default +12mo',
     'registry wording'),
    ('end of treatment',
     'point end(treatment)',
     'registry wording'),
    ('prior to lymphodepletion',
     'before lymphodepletion#1',
     'registry wording'),
    ('Up to approximately 5 years',
     'horizon default +5y',
     'registry wording'),
    ('approximately 5 years',
     'horizon default +5y',
     'registry wording'),
    ('from first dose until 90 days after last dose',
     'from start; to last_dose +90d',
     'registry wording'),
    ('Screening',
     'point screening',  # issue 18: screening is its own visit (before day 1), no longer read as baseline
     'registry wording'),
    ('Day 14',
     'point default day 14',
     'registry wording'),
    ('the first 28 days after CAR-T infusion',
     'horizon infusion#1 +28d',
     'registry wording'),
    ('Up to 15 years',
     'horizon default +15y',
     'registry wording'),
    ('Day 100 post-ASCT',
     'point transplant#1 day 100',
     'registry wording'),
    ('100 days after transplantation',
     'point transplant#1 +100d',
     'registry wording'),
    ('3 months after ASCT',
     'point transplant#1 +3mo',
     'registry wording'),
    ('one year after CAR-T cell infusion',
     'point infusion#1 +1y',
     'registry wording'),
    ('Up to 28 days after CAR-T cell infusion',
     'horizon infusion#1 +28d',
     'registry wording'),
    ('Up to 24 months',
     'horizon default +24mo',
     'registry wording'),
    ('Baseline and Day 28',
     'point baseline; point default day 28',
     'registry wording'),
    ('Day -5 to Day 0',
     'from default day -5; to default day 0',
     'registry wording'),
    ('before leukapheresis',
     'before apheresis#1',
     'registry wording'),
    ('From leukapheresis to CAR-T infusion, up to 8 weeks',
     'from apheresis#1; to infusion#1; horizon apheresis#1 +8w',
     'registry wording'),
    ('at the end of induction',
     'point end(induction)',
     'registry wording'),
    ('after 2 cycles of induction',
     'point end(C2 of induction)',
     'registry wording'),
    ('End of Cycle 4',
     'point end(C4)',
     'registry wording'),
    ('Day 1 of each cycle',
     "unparsed 'day 1 of each cycle'",
     'registry wording'),
    ('Weeks 4, 8, 12',
     'point default +4w; point default +8w; point default +12w',
     'registry wording'),
    ('Day 7, Day 14, Day 21 and Day 28 after infusion',
     'point infusion#1 day 7; point infusion#1 day 14; point infusion#1 day 21; point infusion#1 day 28',
     'registry wording'),
    ('from enrollment until death, up to 3 years',
     'from enrolment; until enrolment +3y until death',
     'registry wording'),
    ('Up to 100 days post transplant',
     'horizon transplant#1 +100d',
     'registry wording'),
    ('6 months after randomization',
     'point randomization +6mo',
     'registry wording'),
    ('2 years after the last patient is enrolled',
     "unparsed '2 years after the last patient is enrolled'",
     'registry wording'),
    ('3 years from the first infusion',
     'point infusion#1 +3y',
     'registry wording'),
    ('Within 24 hours after infusion',
     'horizon infusion#1 +1d',
     'registry wording'),
    ('Approximately 4 weeks after ASCT',
     'point transplant#1 +4w',
     'registry wording'),
    ('Month 24',
     'point default +24mo',
     'registry wording'),
    ('Day 180',
     'point default day 180',
     'registry wording'),
    ('12-month',
     'horizon default +12mo',
     'registry wording'),
    ('A 2-year follow-up',
     'horizon default +2y',
     'registry wording'),
    ('6 months ± 2 weeks after infusion',
     'point infusion#1 +6mo -14d/+14d',
     'registry wording'),
    ('Day 28 (±3 days)',
     'point default day 28 -3d/+3d',
     'registry wording'),
    ('Day 28 after the second infusion',
     'point infusion#2 day 28',
     'registry wording'),
    ('prior to the second CAR-T infusion',
     'before infusion#2',
     'registry wording'),
    ('30 days after CAR-T #2',
     'point infusion#2 +30d',
     'registry wording'),
    ('Day 14 after leukapheresis',
     'point apheresis#1 day 14',
     'registry wording'),
    ('Month 6 after ASCT',
     'point transplant#1 +6mo',
     'registry wording'),
    ('12 months after the start of maintenance',
     'point start(maintenance) +12mo',
     'registry wording'),
    ('3 months after the end of consolidation',
     'point end(consolidation) +3mo',
     'registry wording'),
    ('two years',
     'horizon default +2y',
     'registry wording'),
    ('Up to 30 days after the last dose of study treatment',
     'horizon last_dose +30d',
     'registry wording'),
    ('from date of initial randomization until death due to any cause, assessed up to 15 years',
     "horizon default +15y; unparsed 'from date of initial randomization until death due to any cause'",
     'daratumumab maintenance trial listing'),
]


def test_the_table_is_large_and_not_only_the_seeds() -> None:
    assert len(PHRASES) >= 60
    assert sum(not source.startswith("seed") for _, _, source in PHRASES) >= 40
    assert len({phrase for phrase, _, _ in PHRASES}) == len(PHRASES)


@pytest.mark.parametrize(("phrase", "expected", "source"), PHRASES, ids=[p[:40] for p, _, _ in PHRASES])
def test_phrase(phrase: str, expected: str, source: str) -> None:
    assert describe(parse_time_frame(phrase)) == expected


def test_every_class_is_in_the_table() -> None:
    readings = " ".join(expected for _, expected, _ in PHRASES)
    for marker in ("point ", "from ", "to ", "horizon ", "end(", "until ", "-7d/+7d", "infusion#2", "unparsed"):
        assert marker in readings


def test_unparsed_pieces_say_why() -> None:
    frame = parse_time_frame("Day 1 of each cycle")
    assert frame.points == ()
    assert frame.unparsed == (("day 1 of each cycle", "repeats every cycle: add it to the regimen's cycle visits"),)
    frame = parse_time_frame("2 years after the last patient is enrolled")
    assert "study-level event" in frame.unparsed[0][1]


def test_lists_keep_their_order_and_readable_pieces_survive_unreadable_ones() -> None:
    frame = parse_time_frame("Month 6, at the next full moon, Month 3")
    assert describe(frame) == "point default +6mo; point default +3mo; unparsed 'at the next full moon'"


def test_normalising_notes_what_it_changed() -> None:
    clean, notes = normalise(r"12 months after CT0596 infusion\] (10\^-5)")
    assert clean == "12 months after ct0596 infusion (10^-5)"
    assert notes == ["Markdown escapes removed", "stray bracket(s) removed: ']'"]


def test_split_pieces_ignores_commas_inside_parentheses() -> None:
    assert split_pieces("ORR (sCR, CR, VGPR), 2 years") == ["ORR (sCR, CR, VGPR)", "2 years"]


def test_ordinals_pick_instances() -> None:
    assert str(anchor_of("the second car-t cell transfusion")) == "infusion#2"
    assert str(anchor_of("last infusion of car-t cells")) == "infusion#last"
    assert str(anchor_of("second asct")) == "transplant#2"
    assert str(anchor_of("autologous stem cell infusion")) == "transplant#1"
    assert anchor_of("the next full moon") is None


@given(st.text(max_size=80))
def test_never_raises(text: str) -> None:
    frame = parse_time_frame(text)
    assert frame.points or frame.unparsed or not text.strip(" .,;:")
