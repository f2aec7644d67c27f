"""Every citation the EU AI Act rules and the EU obligation catalog can emit names a provision that
exists in the Act as published (eu_ai_act_provisions.yaml), to the paragraph, point and
subparagraph."""

import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from governance.risk.rules import eu_ai_act
from governance.risk.rules.results import AnswersContradict

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "governance" / "rulebooks" / "data"
ORDINALS = ("first", "second", "third", "fourth", "fifth")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


PROVISIONS = load(HERE / "eu_ai_act_provisions.yaml")
V1 = load(DATA / "eu_ai_act" / "2024-1689.yaml")
V2 = load(DATA / "eu_ai_act" / "2026-digital-omnibus.yaml")
V3 = load(DATA / "eu_ai_act" / "2026-12-scope-and-citations.yaml")
V4 = load(DATA / "eu_ai_act" / "2026-12-provider-conversion.yaml")
V5 = load(DATA / "eu_ai_act" / "2026-12-open-answers-and-transition.yaml")
V6 = load(DATA / "eu_ai_act" / "2026-07-digital-omnibus-corrected.yaml")  # corrects version 2
CATALOG = load(DATA / "obligations" / "eu_ai_act_v3.yaml")
CATALOG_V4 = load(DATA / "obligations" / "eu_ai_act_v4.yaml")


def _article(number: int, spec: dict) -> Iterator[str]:
    cited = f"Art. {number}"
    yield cited
    for paragraph in range(1, spec.get("paragraphs", 0) + 1):
        yield f"{cited}({paragraph})"
    for paragraph, letters in spec.get("points", {}).items():
        within = cited if paragraph == 0 else f"{cited}({paragraph})"
        yield from (f"{within}({letter})" for letter in letters)
    for paragraph, count in spec.get("subparagraphs", {}).items():
        yield from (f"{cited}({paragraph}) {ORDINALS[n]} subparagraph" for n in range(count))


def _annex(name: str, spec: dict) -> Iterator[str]:
    yield f"Annex {name}"
    yield from (f"Annex {name} Section {section}" for section in spec.get("sections", ()))
    form = spec.get("cited_as", "")
    for point, letters in spec.get("points", {}).items():
        yield form.format(point=point)
        yield from (form.format(point=f"{point}({letter})") for letter in letters)


def existing(*, amended: bool) -> frozenset[str]:
    """The provisions as published, with the Digital Omnibus's additions when `amended`."""
    sources = [PROVISIONS]
    if amended:
        sources += PROVISIONS["amendments"].values()
    cited = itertools.chain.from_iterable(
        [
            *(_article(n, spec) for source in sources for n, spec in source["articles"].items()),
            *(_annex(name, spec) for name, spec in PROVISIONS["annexes"].items()),
        ]
    )
    return frozenset(cited)


PUBLISHED = existing(amended=False)
AMENDED = existing(amended=True)


@pytest.mark.parametrize(
    ("cited", "exists"),
    [
        ("Art. 6(3) third subparagraph", True),
        ("Art. 6(3) second subparagraph", True),  # exists: the conditions (a)-(d)
        ("Art. 6(3) fourth subparagraph", False),
        ("Annex III 2", True),
        ("Annex III 2(a)", False),
        ("Annex III 5(b)", True),
        ("Annex III 5(e)", False),
        ("Art. 9(8)", True),
        ("Art. 9(11)", False),
        ("Art. 2(3)", True),
        ("Art. 16(l)", True),
        ("Art. 3(63)", True),
        ("Annex IV(9)", True),
        ("Art. 5(1)(ba)", False),  # not in the text as published
        ("Art. 25(1)(c)", True),
        ("Art. 25(1)(d)", False),
        ("Art. 111(2)", True),
        ("Art. 111(4)", False),
        ("Art. 23(7)", True),
        ("Art. 24(7)", False),
    ],
)
def test_the_provisions_list_expands_as_the_act_is_numbered(cited, exists):
    assert (cited in PUBLISHED) is exists


@pytest.mark.parametrize("rulebook", [V3, V4, V5, V6], ids=["v3", "v4", "v5", "v6"])
def test_every_citation_of_the_corrected_rulebooks_exists(rulebook):
    assert set(eu_ai_act.citations(rulebook)) - AMENDED == set()


@pytest.mark.parametrize("catalog", [CATALOG, CATALOG_V4], ids=["v3", "v4"])
def test_every_reference_of_the_obligation_catalog_exists(catalog):
    references = {entry["reference"] for entry in catalog["entries"]}
    assert references - PUBLISHED == set()
    tested = next(e for e in CATALOG["entries"] if e["id"] == "eu.art9.6")
    assert tested["reference"] == "Art. 9(8)"


def test_the_published_versions_keep_the_citations_they_were_published_with():
    # Versions 1 and 2 are frozen: results made under them cite what they cited. Two of their
    # citations name nothing that exists; a third exists but is the wrong subparagraph.
    assert set(eu_ai_act.citations(V1)) - PUBLISHED == {"Annex III 2(a)"}
    assert set(eu_ai_act.citations(V2)) - AMENDED == {
        "Annex III 2(a)",
        "Art. 5 (new point added by Digital Omnibus)",
    }
    profiling = [book["provisions"]["profiling_exception"]["id"] for book in (V1, V2, V3)]
    assert profiling == [
        "Art. 6(3) second subparagraph",
        "Art. 6(3) second subparagraph",
        "Art. 6(3) third subparagraph",
    ]


def _answer_sets(rulebook: dict) -> Iterator[dict]:
    """One answer set per rule that can fire: each practice, exclusion, Annex III use (alone,
    with a condition, with profiling, with significant risk), Annex I, each Art. 50 trigger and
    GPAI route."""
    base = {
        "role": "provider",
        "prohibited_practices": ["none"],
        "annex_i_product": False,
        "annex_iii_area": ["none"],
        "interacts_with_people": True,
        "generates_synthetic_content": True,
        "deep_fake": True,
        "public_interest_text": True,
        "emotion_or_biometric_categorisation": True,
        "gpai_model": False,
    }
    yield base
    yield {**base, "interacts_with_people": False, "generates_synthetic_content": False,
           "emotion_or_biometric_categorisation": False}  # fmt: skip
    yield {**base, "gpai_model": True, "training_compute_flops": 2e25,
           "gpai_designated_systemic": True}  # fmt: skip
    yield {**base, "annex_i_product": True, "annex_i_third_party_assessment": True}
    yield {**base, "annex_i_product": True, "annex_i_third_party_assessment": False}
    for practice in rulebook["practices"]:
        yield {**base, "prohibited_practices": [practice["key"]]}
    for exclusion in rulebook.get("scope_exclusions", ()):
        yield {**base, "art2_exclusions": [exclusion["key"]]}
    for area in rulebook["annex_iii_areas"]:
        for point in area["sub_points"]:
            for use in [point, *point.get("excludes", ())]:
                yield from _annex_iii_variants(base, area["key"], use["key"])
    yield from _conversion_variants(base, rulebook)
    yield from _version_5_variants(base, rulebook)


def _version_5_variants(base: dict, rulebook: dict) -> Iterator[dict]:
    """Each answer left open, each other operator and each Art. 111 transition (version 5)."""
    if "transition" not in rulebook:
        return
    high_risk = {**base, "annex_i_product": True, "annex_i_third_party_assessment": True}
    gpai = {**base, "gpai_model": True, "gpai_designated_systemic": False}
    yield {**base, "eu_link": False}
    yield {**base, "eu_link": "unknown"}
    yield {**gpai, "training_compute_flops": "unknown", "gpai_placed_before_transition": True}
    yield {**base, "annex_iii_area": ["essential_services"], "annex_iii_point": ["unknown"],
           "art6_3_conditions": ["none"], "profiles_natural_persons": False, "role": "deployer",
           "public_service_deployer": "unknown"}  # fmt: skip
    for operator in rulebook["other_operators"]:
        yield {**high_risk, "role": operator["key"]}
        yield {**base, "role": operator["key"]}
    for changed, public in ((True, False), (False, True), (False, False)):
        yield {**high_risk, "placed_before_transition": True,
               "significant_design_change": changed, "public_authority_use": public}  # fmt: skip


def _conversion_variants(base: dict, rulebook: dict) -> Iterator[dict]:
    """A deployer that each Art. 25(1) point makes the provider, and one it does not."""
    deployer = {**base, "role": "deployer"}
    high_risk = {**deployer, "annex_i_product": True, "annex_i_third_party_assessment": True}
    for conversion in rulebook.get("provider_conversions", ()):
        for answers in (deployer, high_risk):
            yield {**answers, "art25_provider_conversion": [conversion["key"]]}


def _annex_iii_variants(base: dict, area: str, use: str) -> Iterator[dict]:
    chosen = {**base, "annex_iii_area": [area], "annex_iii_point": [use]}
    yield {**chosen, "art6_3_conditions": ["none"], "profiles_natural_persons": False}
    yield {**chosen, "art6_3_conditions": ["preparatory_task"], "profiles_natural_persons": False}
    yield {**chosen, "art6_3_conditions": ["narrow_procedural_task"],
           "profiles_natural_persons": False, "art6_3_significant_risk": True}  # fmt: skip
    yield {**chosen, "art6_3_conditions": ["none"], "profiles_natural_persons": True}


@pytest.mark.parametrize(
    "rulebook", [V1, V2, V3, V4, V5, V6], ids=["v1", "v2", "v3", "v4", "v5", "v6"]
)
def test_every_citation_the_rules_emit_comes_from_the_rulebook(rulebook):
    cited = set(eu_ai_act.citations(rulebook))
    emitted = set()
    for answers in _answer_sets(rulebook):
        try:
            outcome = eu_ai_act.classify(answers, rulebook, as_of=date(2026, 12, 7))
        except AnswersContradict:
            continue  # e.g. profiling in criminal matters said not to profile
        emitted |= {*outcome.legal_basis, *(reason.basis for reason in outcome.reasons)}
    assert emitted - cited == set()
    if rulebook in (V3, V4, V5, V6):
        assert emitted - AMENDED == set()
    if rulebook in (V3, V4, V5):
        assert {"Art. 2(3)", "Art. 6(3) first subparagraph", "Annex III 2"} <= emitted
    if rulebook is V6:  # version 2's questions, with its citations corrected
        assert {"Annex III 2", "Art. 6(3) third subparagraph", "Art. 5(1)(bb)"} <= emitted
    if rulebook in (V4, V5):
        assert {"Art. 25(1)", "Art. 25(1)(a)", "Art. 25(1)(b)", "Art. 25(1)(c)"} <= emitted
    if rulebook is V5:
        assert {"Art. 2(1)", "Annex III 5", "Art. 22", "Art. 23", "Art. 24", "Art. 111(2)",
                "Art. 111(3)"} <= emitted  # fmt: skip
