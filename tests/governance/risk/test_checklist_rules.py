"""Coverage arithmetic, accepted evidence files and material-change reasons: plain functions."""

from datetime import date

import pytest

from governance.risk.rules import evidence_files, material_change
from governance.risk.rules.coverage import Item, stages_due, summarise

TODAY = date(2026, 11, 23)


def item(status: str, **kwargs) -> Item:
    return Item(reference=kwargs.pop("reference", "Art. 9"), title="t", status=status, **kwargs)


def test_coverage_counts_each_status_and_says_it_in_one_sentence():
    items = [
        item("evidenced"),
        item("accepted"),
        item("waived", waiver_expires_on=date(2027, 1, 1)),
        item("missing"),
    ]
    summary = summarise(items, TODAY)
    assert (summary.total, summary.evidenced, summary.accepted) == (4, 2, 1)
    assert (summary.waived, summary.missing) == (1, 1)
    assert summary.sentence == "2 of 4 obligations evidenced, 1 waived, 1 missing"


def test_an_expired_waiver_counts_as_missing_from_the_day_after_expiry():
    on_the_day = summarise([item("waived", waiver_expires_on=TODAY)], TODAY)
    day_after = summarise([item("waived", waiver_expires_on=date(2026, 11, 22))], TODAY)
    assert (on_the_day.waived, on_the_day.missing) == (1, 0)
    assert (day_after.waived, day_after.missing, day_after.expired_waivers) == (0, 1, 1)


def test_due_next_lists_undated_obligations_first_then_the_earliest_dates():
    items = [
        item("missing", reference="Art. 26", due_on=date(2027, 12, 2)),
        item("missing", reference="Art. 4"),
        item("missing", reference="Art. 50", due_on=date(2026, 12, 2)),
        item("evidenced", reference="Art. 9"),
    ]
    assert [i.reference for i in summarise(items, TODAY).due_next] == [
        "Art. 4",
        "Art. 50",
        "Art. 26",
    ]


def test_among_obligations_due_together_what_the_next_gate_needs_comes_first():
    items = [
        item("missing", reference="Principle 4.4", stage="ongoing"),
        item("missing", reference="Principle 4.1", stage="before_deployment"),
        item("missing", reference="Principle 3.1", stage="before_validation"),
        item("missing", reference="Principle 2.5", stage="ongoing", due_on=date(2026, 12, 2)),
    ]
    assert [i.reference for i in summarise(items, TODAY).due_next] == [
        "Principle 3.1",
        "Principle 4.1",
        "Principle 4.4",
    ]


def test_what_the_models_next_gate_does_not_ask_for_yet_is_not_due_rather_than_missing():
    items = [
        item("missing", reference="Principle 3.1", stage="before_validation"),
        item("missing", reference="Principle 4.1", stage="before_deployment"),
        item("missing", reference="Principle 4.4", stage="ongoing"),
        item("missing", reference="Art. 26", due_on=date(2027, 12, 2)),
    ]
    in_development = summarise(items, TODAY, stages=stages_due("development"))
    assert (in_development.missing, in_development.not_due) == (1, 3)
    assert (
        in_development.sentence
        == "0 of 4 obligations evidenced, 0 waived, 1 missing, 3 not due yet"
    )
    assert in_development.due_next[0].reference == "Principle 3.1"
    in_validation = summarise(items, TODAY, stages=stages_due("validation"))
    assert (in_validation.missing, in_validation.not_due) == (2, 2)
    in_use = summarise(items, TODAY, stages=stages_due("production"))
    assert (in_use.missing, in_use.not_due) == (3, 1)


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("validation.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("Report.PDF", b"%PDF-1.4\n", "application/pdf"),
        ("metrics.csv", b"auc,0.81\n", "text/csv"),
        ("model-card.md", "# Modèle\n".encode(), "text/markdown"),
        (
            "minutes.docx",
            b"PK\x03\x04rest",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_accepted_files_get_their_media_type(name, head, expected):
    assert evidence_files.media_type(name, head) == expected


@pytest.mark.parametrize(
    ("name", "head", "why"),
    [
        ("payload.exe", b"MZ", ".exe files are not accepted"),
        ("noextension", b"%PDF-", "no extension files are not accepted"),
        ("renamed.pdf", b"MZ\x90\x00", "the content is not a .pdf file"),
        ("binary.csv", b"a,b\x00\x01", "a .csv file must be UTF-8 text"),
        ("latin1.txt", "café au lait".encode("latin-1") + b" and more", "must be UTF-8 text"),
    ],
)
def test_refused_files_say_why(name, head, why):
    with pytest.raises(ValueError, match=why):
        evidence_files.media_type(name, head)


def test_a_multibyte_character_cut_at_the_end_of_the_sniffed_head_is_still_text():
    head = ("x" * 10).encode() + "é".encode()[:1]
    assert evidence_files.media_type("notes.txt", head) == "text/plain"


@pytest.mark.parametrize(
    ("label", "earlier", "flagged"),
    [
        ("2.0.0", ["1.0.0", "1.4.2"], True),
        ("v3", ["v2", "v2.1"], True),
        ("1.5.0", ["1.0.0", "1.4.2"], False),
        ("2.0.0", ["2.1.0", "1.0"], False),
        ("1.0.0", [], False),  # the first version is not a change
        ("nightly", ["1.0"], False),
    ],
)
def test_a_new_major_version_is_a_material_change(label, earlier, flagged):
    assert (material_change.new_major_version(label, earlier) is not None) is flagged


def test_reading_a_new_dataset_is_a_material_change_but_the_first_run_is_not():
    assert material_change.new_data_sources(["bureau", "open-banking"], ["bureau"]) == (
        "new data sources: open-banking"
    )
    assert material_change.new_data_sources(["bureau"], ["bureau", "old"]) is None
    assert material_change.new_data_sources(["bureau"], []) is None
