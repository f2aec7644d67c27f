"""EU AI Act classification: the category of one AI system (a use case) on a given date.

The rulebook (governance/rulebooks/data/eu_ai_act/*.yaml, one file per version of the law) holds the
practices, Annex III uses, derogation conditions, article numbers, thresholds and application
dates; this module holds the questions and how answers combine into categories.

Visibility: a question with `shown_if=(key, "*")` is asked once `key` has an answer other than
"none" (choosing no Annex III area leaves nothing to ask about one). Answers left over from when a
question was shown are ignored once it is hidden, except GPAI facts given for something that is
not a GPAI model, which contradict that answer.

Versions: what a rulebook holds decides what is asked. Art. 2 scope exclusions, the uses an Annex
III point excludes and the Art. 6(3) first-subparagraph question are asked only under a rulebook
that lists them (version 3 on), and their questions have defaults (`DEFAULTS`) so that answers
given before they existed keep their result. Several Annex III areas and uses may be ticked under
every version; one given as a string (as versions 1 and 2 stored it) reads as a list of one.

Art. 25 (version 4 on): a deployer is asked whether it put its name or trade mark on the system,
substantially modified it or changed its intended purpose. One that holds on a high-risk system
makes it that system's provider: the result cites the point, and its role becomes provider and
deployer (details["role"], which the obligation catalog's roles key on; details["provider_under"]
names the points). On a system that is not high-risk it changes nothing, and the result says why.

Open answers (version 5 on): the questions a rulebook lists in `unknown_answers` also take "Not
known yet" (UNKNOWN). The result is then provisional, on the cautious side (an EU link, a listed
Annex III use, a public deployer, compute above the threshold), a reason says what was assumed,
and details["provisional"] and details["open_questions"] (the question keys) say so. A model the
Commission designated (Art. 51(1)(b)) is not asked its compute: the designation settles it.

Other operators (version 5 on): importer (Art. 23), distributor (Art. 24) and authorised
representative (Art. 22) are roles, each owing its own duties for a high-risk system.

Art. 111 (version 5 on): a high-risk system placed on the market before the transition date and
not significantly changed since owes the high-risk obligations only once it changes, unless it is
intended for public authorities, which comply by 2 Aug 2030; a general-purpose AI model placed on
the market before 2 Aug 2025 complies by 2 Aug 2027. The labels' application dates move to those
dates and details["transition"] names the paragraph and the date due.
"""

import dataclasses
import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from governance.risk.rules.results import (
    ANY,
    NONE,
    NOT_KNOWN,
    UNKNOWN,
    AnswersContradict,
    AnswersIncomplete,
    Outcome,
    Question,
    Reason,
    is_blank,
    shown,
    unanswered,
)

FRAMEWORK = "eu_ai_act"

PROHIBITED = "prohibited"
HIGH_RISK_ANNEX_I = "high_risk_annex_i"
HIGH_RISK_ANNEX_III = "high_risk_annex_iii"
ANNEX_III_NOT_HIGH_RISK = "annex_iii_not_high_risk"
GPAI_SYSTEMIC = "gpai_systemic"
GPAI = "gpai"
TRANSPARENCY = "transparency"
MINIMAL = "minimal"
OUTSIDE_ACT = "outside_act"
AI_LITERACY = "ai_literacy"
# Duties of a high-risk Annex III system's deployer that depend on who it is (the rulebook's
# deployer_duties name them).
DEPLOYER_DUTIES = ("deployer_fria", "deployer_explanation")

# Category ids, strictest first: the headline is the first that applies, and a model serving
# several use cases takes the strictest of their outcomes.
SEVERITY: tuple[str, ...] = (
    PROHIBITED,
    HIGH_RISK_ANNEX_I,
    HIGH_RISK_ANNEX_III,
    ANNEX_III_NOT_HIGH_RISK,
    GPAI_SYSTEMIC,
    GPAI,
    TRANSPARENCY,
    MINIMAL,
    OUTSIDE_ACT,
)

ROLES = (
    (
        "provider",
        (
            "Provider: develops it, or has it developed, and places it on the market or puts it "
            "into service under its own name"
        ),
    ),
    ("deployer", "Deployer: uses it under its own authority"),
    ("provider_and_deployer", "Both: provides it and also uses it itself"),
)
DEPLOYER = "deployer"
DEPLOYING = (DEPLOYER, "provider_and_deployer")
PROVIDING = ("provider", "provider_and_deployer")
HIGH_RISK = (HIGH_RISK_ANNEX_I, HIGH_RISK_ANNEX_III)


@dataclass(frozen=True)
class _Trigger:
    """One Art. 50 duty: the answer that triggers it and the label it adds."""

    key: str
    label: str
    rule: str
    text: str
    because: str
    shown_if: tuple[str, object] | None = None


SYNTHETIC = "generates_synthetic_content"
TRIGGERS = (
    _Trigger(
        "interacts_with_people",
        "transparency_interaction",
        "eu.art50.1",
        "Is it intended to interact directly with people (e.g. a chatbot or voice assistant)?",
        "It is intended to interact directly with people, so they must be told they are "
        "dealing with an AI system unless that is obvious from the context.",
    ),
    _Trigger(
        SYNTHETIC,
        "transparency_synthetic",
        "eu.art50.2",
        "Does it generate synthetic audio, image, video or text content?",
        "It generates synthetic audio, image, video or text, so its outputs must be marked as "
        "artificially generated in a machine-readable way.",
    ),
    _Trigger(
        "emotion_or_biometric_categorisation",
        "transparency_emotion_biometric",
        "eu.art50.3",
        "Is it an emotion recognition or biometric categorisation system?",
        "It recognises emotions or categorises people from biometric data, so the people "
        "exposed to it must be informed that it is operating.",
    ),
    _Trigger(
        "deep_fake",
        "transparency_deepfake",
        "eu.art50.4.deep_fake",
        "Is it used to generate or manipulate image, audio or video content that resembles "
        "real people, objects, places or events and would falsely appear authentic (a deep fake)?",
        "It produces deep fakes, so their deployer must disclose that the content is "
        "artificially generated or manipulated.",
        shown_if=(SYNTHETIC, True),
    ),
    _Trigger(
        "public_interest_text",
        "transparency_public_text",
        "eu.art50.4.public_text",
        "Is text it generates published to inform the public on matters of public interest?",
        "It generates text published to inform the public on matters of public interest, so "
        "its deployer must disclose that the text is AI-generated unless a person reviewed it "
        "and took editorial responsibility.",
        shown_if=(SYNTHETIC, True),
    ),
)
# Labels always come in this order (headline first), so outcomes stored at different times
# compare equal.
LABEL_ORDER = (*SEVERITY, *(trigger.label for trigger in TRIGGERS), *DEPLOYER_DUTIES, AI_LITERACY)


SCOPE = "art2_exclusions"
SIGNIFICANT_RISK = "art6_3_significant_risk"
PUBLIC_DEPLOYER = "public_service_deployer"
CONVERSION = "art25_provider_conversion"
EU_LINK = "eu_link"
COMPUTE = "training_compute_flops"
DESIGNATED = "gpai_designated_systemic"
LEGACY = "placed_before_transition"
CHANGED = "significant_design_change"
PUBLIC_AUTHORITY = "public_authority_use"
LEGACY_GPAI = "gpai_placed_before_transition"
# Questions added after answers were first stored: left unanswered, they take the answer that
# keeps an earlier result (no Art. 2 exclusion; a derogation claimed under (a)-(d) was the
# provider's conclusion that the system poses no significant risk; every Annex III deployer did a
# fundamental rights impact assessment, the cautious side; no deployer was its provider under
# Art. 25, as no earlier version asked).
DEFAULTS: dict[str, Any] = {
    SCOPE: [NONE],
    SIGNIFICANT_RISK: False,
    PUBLIC_DEPLOYER: True,
    CONVERSION: [NONE],
    # Version 5: every system assessed before was taken to reach the EU and to be new.
    EU_LINK: True,
    LEGACY: False,
    LEGACY_GPAI: False,
}
# Asked as one choice before several could be ticked.
LISTED = ("annex_iii_area", "annex_iii_point")


# ---- Questions -------------------------------------------------------------------------------


def questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    """The questionnaire; practices, Annex III uses and conditions come from the rulebook."""
    return (
        _role_question(rulebook),
        *_scope_questions(rulebook),
        *_eu_link_questions(rulebook),
        _practices_question(rulebook),
        *_annex_i_questions(rulebook),
        *_annex_iii_questions(rulebook),
        *_conversion_questions(rulebook),
        *_transition_questions(rulebook),
        *_transparency_questions(rulebook),
        *_gpai_questions(rulebook),
    )


def _open(rulebook: dict[str, Any], key: str) -> bool:
    """Whether this rulebook takes "Not known yet" for the question `key`."""
    return key in rulebook.get("unknown_answers", ())


def _explained(rulebook: dict[str, Any], *names: str) -> str:
    provisions = rulebook["provisions"]
    return " ".join(f"{provisions[n]['id']}: {provisions[n]['summary']}" for n in names)


def _described(item: dict[str, Any]) -> str:
    return f"{item['id']} {item['title']}: {item['summary']}"


def _role_question(rulebook: dict[str, Any]) -> Question:
    others = rulebook.get("other_operators", ())
    defined = " ".join(f"{o['definition']}: {o['choice']}." for o in others)
    return Question(
        key="role",
        text="What is the organisation's role for this AI system?",
        kind="choice",
        help=" ".join(
            [_explained(rulebook, "provider", "deployer"), *([defined] if others else [])]
        ),
        choices=(*ROLES, *((o["key"], o["choice"]) for o in others)),
    )


def _eu_link_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    if "eu_link" not in rulebook["provisions"]:
        return ()
    return (
        Question(
            key=EU_LINK,
            text="Is it placed on the market or put into service in the EU, used by a deployer "
            "established in the EU, or is its output used in the EU?",
            kind="bool",
            help=f"{_explained(rulebook, 'eu_link')} Asked of this system as a whole; each "
            "model's scoping asks it of the model. Left unanswered, the answer is yes, as "
            "earlier versions assumed; not known yet gives a provisional result as if it were.",
            required=False,
            unknown=_open(rulebook, EU_LINK),
        ),
    )


def _transition_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    transition = rulebook.get("transition")
    if not transition:
        return ()
    before = _day(transition["high_risk_placed_before"])
    return (
        Question(
            key=LEGACY,
            text=f"Was it placed on the market or put into service before {before}?",
            kind="bool",
            help=f"{_explained(rulebook, 'legacy_high_risk')} It matters only for a high-risk "
            "system. Left unanswered, the answer is no.",
            required=False,
        ),
        Question(
            key=CHANGED,
            text=f"Has its design changed significantly since {before}?",
            kind="bool",
            help="A significant change in design brings a system already on the market under the "
            "high-risk obligations as if it were new.",
            shown_if=(LEGACY, True),
        ),
        Question(
            key=PUBLIC_AUTHORITY,
            text="Is it intended to be used by public authorities?",
            kind="bool",
            help=f"Its providers and deployers must then comply by "
            f"{_day(transition['public_authorities_by'])}, changed or not.",
            shown_if=(LEGACY, True),
        ),
    )


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _scope_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    exclusions = rulebook.get("scope_exclusions")
    if not exclusions:
        return ()
    return (
        Question(
            key=SCOPE,
            text="Does any of these take it outside the EU AI Act? Tick every one that applies.",
            kind="multi",
            help="Art. 2 leaves these outside the Act: the system then carries none of its "
            "obligations (the model-risk frameworks that apply still do). Left unanswered, none "
            "applies.",
            choices=(*((e["key"], _described(e)) for e in exclusions), (NONE, "None of these")),
            required=False,
        ),
    )


def _practices_question(rulebook: dict[str, Any]) -> Question:
    practices = tuple((p["key"], _described(p)) for p in rulebook["practices"])
    return Question(
        key="prohibited_practices",
        text="Does it involve any of these practices? Tick every one that applies.",
        kind="multi",
        help="These practices are prohibited: the system may not be placed on the market, put "
        "into service or used.",
        choices=(*practices, (NONE, "None of these")),
    )


def _annex_i_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    legislation = rulebook["annex_i_legislation"]
    listed = "; ".join(
        [
            *legislation["section_a_new_legislative_framework"],
            *legislation["section_b_other_legislation"],
        ]
    )
    return (
        Question(
            key="annex_i_product",
            text="Is it a product, or a safety component of a product, covered by the Union "
            "harmonisation legislation listed in Annex I?",
            kind="bool",
            help=f"Annex I lists: {listed}. {_explained(rulebook, 'annex_i')}",
        ),
        Question(
            key="annex_i_third_party_assessment",
            text="Must that product undergo a third-party conformity assessment under that "
            "legislation?",
            kind="bool",
            help=_explained(rulebook, "annex_i_route"),
            shown_if=("annex_i_product", True),
        ),
    )


def _annex_iii_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    areas = rulebook["annex_iii_areas"]
    conditions = tuple((c["key"], _described(c)) for c in rulebook["derogation_conditions"])
    return (
        Question(
            key="annex_iii_area",
            text="Is its intended purpose in one or more of the Annex III areas? Tick every one "
            "that applies.",
            kind="multi",
            help=_explained(rulebook, "annex_iii_route"),
            choices=(
                *((a["key"], f"{a['point']}. {a['title']}") for a in areas),
                (NONE, "None of these"),
            ),
        ),
        Question(
            key="annex_iii_point",
            text="Which uses listed in those areas is it intended for? Tick every one that "
            "applies, including a use that a point excludes.",
            kind="multi",
            help="Only the uses listed under the chosen areas apply; each chosen area needs one.",
            choices=(
                *(
                    (point["key"], _point_label(point))
                    for area in areas
                    for point in _annex_iii_points(area)
                ),
                *(
                    ((UNKNOWN, f"{NOT_KNOWN}: the use in an area ticked above is not settled"),)
                    if _open(rulebook, "annex_iii_point")
                    else ()
                ),
            ),
            shown_if=("annex_iii_area", ANY),
        ),
        Question(
            key="art6_3_conditions",
            text="Which of these describe what it is intended to do? Tick every one that applies.",
            kind="multi",
            help=_explained(rulebook, "derogation"),
            choices=(*conditions, (NONE, "None of these")),
            shown_if=("annex_iii_area", ANY),
        ),
        *_significant_risk_questions(rulebook),
        Question(
            key="profiles_natural_persons",
            text="Does it profile natural persons (automatically evaluate personal aspects such "
            "as work performance, economic situation, health, preferences, behaviour or "
            "location)?",
            kind="bool",
            help=_explained(rulebook, "profiling_exception"),
            shown_if=("annex_iii_area", ANY),
        ),
        *_deployer_questions(rulebook),
    )


def _deployer_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    duties = rulebook.get("deployer_duties")
    if not duties:
        return ()
    return (
        Question(
            key=PUBLIC_DEPLOYER,
            text="Is the organisation that deploys it a body governed by public law, or a private "
            "entity providing public services?",
            kind="bool",
            help=f"{' '.join(_described(d) for d in duties)} Left unanswered, the answer is yes "
            "(the cautious side); the organisation profile gives the default.",
            shown_if=("annex_iii_area", ANY),
            required=False,
            unknown=_open(rulebook, PUBLIC_DEPLOYER),
        ),
    )


def _conversion_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    conversions = rulebook.get("provider_conversions")
    if not conversions:
        return ()
    return (
        Question(
            key=CONVERSION,
            text="Has the organisation done any of these to it? Tick every one that applies.",
            kind="multi",
            help=f"{_explained(rulebook, 'provider_conversion')} Each counts only when the system, "
            "as answered above, is high-risk. Left unanswered, none applies.",
            choices=(*((c["key"], _described(c)) for c in conversions), (NONE, "None of these")),
            shown_if=("role", DEPLOYER),
            required=False,
        ),
    )


def organisation_answers(*, public_body: bool | None) -> dict[str, Any]:
    """The EU AI Act answers the organisation profile gives every use case (unstated: none)."""
    return {} if public_body is None else {PUBLIC_DEPLOYER: public_body}


def _significant_risk_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    if "significant_risk" not in rulebook["provisions"]:
        return ()
    return (
        Question(
            key=SIGNIFICANT_RISK,
            text="Even so, does it pose a significant risk of harm to health, safety or "
            "fundamental rights, for instance by materially influencing the outcome of decision "
            "making?",
            kind="bool",
            help=f"{_explained(rulebook, 'significant_risk')} Left unanswered, the answer is no: "
            "ticking a condition above was taken to mean that it does not.",
            shown_if=("art6_3_conditions", ANY),
            required=False,
        ),
    )


def _annex_iii_points(area: dict[str, Any]) -> list[dict[str, Any]]:
    """The uses listed under an area, each followed by the uses its point excludes.

    The rulebook writes sub-point ids within their area ("5(b)"); reasons cite them in full, and an
    excluded use cites the point that excludes it.
    """
    points = []
    for point in area["sub_points"]:
        cited = f"Annex III {point['id']}"
        points.append({**point, "id": cited, "area": area["key"]})
        points += [
            {**use, "id": cited, "area": area["key"], "excluded_from": point["title"]}
            for use in point.get("excludes", ())
        ]
    return points


def _point_label(point: dict[str, Any]) -> str:
    if "excluded_from" in point:
        return f"{point['id']}, excluded (not high-risk): {point['title']}: {point['summary']}"
    return _described(point)


def _transparency_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    duties = rulebook["transparency_obligations"]
    return tuple(
        Question(
            key=trigger.key,
            text=trigger.text,
            kind="bool",
            help=_described(duties[trigger.label]),
            shown_if=trigger.shown_if,
        )
        for trigger in TRIGGERS
    )


def _gpai_questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    model = Question(
        key="gpai_model",
        text="Is it a general-purpose AI model that the organisation provides?",
        kind="bool",
        help=_explained(rulebook, "gpai_model", "gpai_obligations"),
    )
    designated = Question(
        key=DESIGNATED,
        text="Has the Commission designated it as a general-purpose AI model with systemic risk?",
        kind="bool",
        help=_explained(rulebook, "gpai_systemic_designation"),
        shown_if=("gpai_model", True),
    )
    compute = Question(
        key=COMPUTE,
        text="What was the cumulative compute used to train it, in floating-point "
        "operations (FLOPs)? Give your best estimate.",
        kind="number",
        help=f"{_explained(rulebook, 'gpai_systemic_presumption')} The threshold in this "
        f"rulebook is {rulebook['gpai_systemic_flops']:.3g} FLOPs.",
        shown_if=("gpai_model", True),
        unknown=_open(rulebook, COMPUTE),
    )
    if not rulebook.get("transition"):
        return (model, compute, designated)
    # Version 5: the Commission's designation alone settles systemic risk (Art. 51(1)(b)), so
    # compute is asked only of a model it has not designated.
    legacy = Question(
        key=LEGACY_GPAI,
        text="Was it placed on the market before "
        f"{_day(rulebook['transition']['gpai_placed_before'])}?",
        kind="bool",
        help=f"{_explained(rulebook, 'legacy_gpai')} Left unanswered, the answer is no.",
        shown_if=("gpai_model", True),
        required=False,
    )
    return (model, designated, dataclasses.replace(compute, shown_if=(DESIGNATED, False)), legacy)


# ---- Answers ---------------------------------------------------------------------------------


def _upgraded(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as this module reads them: an Annex III area or use stored as one string (before
    several could be ticked) becomes a list of one."""
    return {
        key: [value] if key in LISTED and isinstance(value, str) and value else value
        for key, value in answers.items()
    }


def _shown_answers(answers: dict[str, Any], asked: tuple[Question, ...]) -> dict[str, Any]:
    """The answers to the questions shown, once every one of them is answered and valid; a
    question that may be left unanswered takes its default."""
    answers = {**DEFAULTS, **_answered(answers)}
    relevant = shown(asked, answers)
    # A bad value first: it may be what shows the questions that look unanswered.
    for question in relevant:
        if not is_blank(answers.get(question.key)):
            _require_valid(question, answers[question.key])
    missing = [q.key for q in unanswered(relevant, answers)]
    if missing:
        raise AnswersIncomplete(missing)
    return {q.key: answers[q.key] for q in relevant}


def _answered(answers: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if not is_blank(value)}


def _require_valid(question: Question, value: Any) -> None:
    # The service stores whatever the client sent; a bad value must name its question.
    allowed = [choice for choice, _ in question.choices]
    if question.unknown and value == UNKNOWN:
        return
    if question.kind == "bool" and not isinstance(value, bool):
        raise AnswersContradict(question.key, "must be yes or no")
    if question.kind == "choice" and value not in allowed:
        raise AnswersContradict(question.key, f"must be one of: {', '.join(allowed)}")
    if question.kind == "multi":
        _require_valid_multi(question.key, value, allowed)
    if question.kind == "number" and not _is_count(value):
        raise AnswersContradict(question.key, "must be a number of zero or more")


def _require_valid_multi(key: str, value: Any, allowed: list[str]) -> None:
    if not isinstance(value, list) or any(choice not in allowed for choice in value):
        raise AnswersContradict(key, f"must be a list drawn from: {', '.join(allowed)}")
    if NONE in value and len(value) > 1:
        raise AnswersContradict(key, "'none' cannot be ticked together with another choice")


def _is_count(value: Any) -> bool:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return is_number and math.isfinite(value) and value >= 0


def _require_consistent(
    answers: dict[str, Any], given: dict[str, Any], rulebook: dict[str, Any]
) -> None:
    _require_points_in_areas(given, rulebook)
    _require_gpai_facts_only_for_gpai(answers, given)
    _require_implied(given, rulebook)


def _require_points_in_areas(given: dict[str, Any], rulebook: dict[str, Any]) -> None:
    ticked = set(given.get("annex_iii_point", ())) - {UNKNOWN}
    unknown = UNKNOWN in given.get("annex_iii_point", ())
    listed = {
        a["key"]: {p["key"] for p in _annex_iii_points(a)} for a in _chosen_areas(given, rulebook)
    }
    stray = sorted(ticked - set().union(*listed.values())) if listed else []
    if stray:
        raise AnswersContradict(
            "annex_iii_point",
            f"{stray[0]} is not a use listed under the Annex III areas chosen; choose one of "
            "their uses or another area",
        )
    settled = [a for a in _chosen_areas(given, rulebook) if listed[a["key"]] & ticked]
    if unknown and len(settled) == len(listed):
        raise AnswersContradict(
            "annex_iii_point",
            "not known yet is for an area ticked above whose use is not settled; every area has "
            "a use ticked, so untick it",
        )
    for area in _chosen_areas(given, rulebook):
        if not unknown and area not in settled:
            raise AnswersContradict(
                "annex_iii_point",
                f"tick a use listed under Annex III point {area['point']} ({area['title']}), or "
                "untick that area",
            )


def _require_gpai_facts_only_for_gpai(answers: dict[str, Any], given: dict[str, Any]) -> None:
    if given["gpai_model"] and given["role"] not in PROVIDING:
        raise AnswersContradict(
            "gpai_model",
            "general-purpose AI model obligations fall on the model's provider; an "
            "organisation that does not provide the model answers no (or its role is provider)",
        )
    if not given["gpai_model"] and answers.get("training_compute_flops") is not None:
        raise AnswersContradict(
            "training_compute_flops",
            "training compute is asked only about a general-purpose AI model; clear it or "
            "answer yes to gpai_model",
        )
    if not given["gpai_model"] and answers.get("gpai_designated_systemic"):
        raise AnswersContradict(
            "gpai_designated_systemic",
            "only a general-purpose AI model can be designated as having systemic risk; clear "
            "it or answer yes to gpai_model",
        )


def _require_implied(given: dict[str, Any], rulebook: dict[str, Any]) -> None:
    # Some practices and uses are, by definition, what another question asks about.
    chosen = [*_chosen_practices(given, rulebook), *_chosen_points(given, rulebook)]
    for item in chosen:
        for key in item.get("implies", ()):
            if given.get(key) is False:
                raise AnswersContradict(
                    key, f"must be yes: {item['id']} ({item['title']}) implies it by definition"
                )


def _chosen_practices(given: dict[str, Any], rulebook: dict[str, Any]) -> list[dict[str, Any]]:
    ticked = given["prohibited_practices"]
    return [p for p in rulebook["practices"] if p["key"] in ticked]


def _chosen_areas(given: dict[str, Any], rulebook: dict[str, Any]) -> list[dict[str, Any]]:
    ticked = given["annex_iii_area"]
    return [a for a in rulebook["annex_iii_areas"] if a["key"] in ticked]


def _chosen_points(given: dict[str, Any], rulebook: dict[str, Any]) -> list[dict[str, Any]]:
    """The uses ticked, in the Annex's order (excluded ones too); with "not known yet", an area
    without a use ticked stands for a use it lists (the cautious side: none of its exclusions)."""
    ticked = given.get("annex_iii_point", ())
    chosen = []
    for area in _chosen_areas(given, rulebook):
        points = [p for p in _annex_iii_points(area) if p["key"] in ticked]
        if not points and UNKNOWN in ticked:
            points = [_unsettled(area)]
        chosen += points
    return chosen


def _unsettled(area: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"Annex III {area['point']}",
        "key": UNKNOWN,
        "title": f"a use in {area['title'].lower()} not known yet",
        "area": area["key"],
        "could_be": [p["key"] for p in area["sub_points"]],
    }


# ---- Rules -----------------------------------------------------------------------------------

EXCLUDED_RULE = "eu.annex_iii.excluded"


@dataclass(frozen=True)
class _Finding:
    """One rule that fired: the labels it adds, its reason and every article it relies on."""

    labels: tuple[str, ...]
    reason: Reason
    bases: tuple[str, ...]


def _cite(rulebook: dict[str, Any], name: str) -> str:
    cited: str = rulebook["provisions"][name]["id"]
    return cited


def _prohibited(given: dict[str, Any], rulebook: dict[str, Any]) -> list[_Finding]:
    return [
        _Finding(
            (PROHIBITED,),
            Reason(
                f"eu.art5.{practice['key']}",
                practice["id"],
                f"It involves a prohibited practice, {practice['title']} ({practice['id']}), "
                f"banned from {practice['applies_from'].isoformat()}: it may not be placed on "
                "the market, put into service or used.",
                ("prohibited_practices",),
            ),
            (practice["id"],),
        )
        for practice in _chosen_practices(given, rulebook)
    ]


def _annex_i(given: dict[str, Any], rulebook: dict[str, Any]) -> list[_Finding]:
    if not given["annex_i_product"]:
        return []
    asked = ("annex_i_product", "annex_i_third_party_assessment")
    product = "It is, or is a safety component of, a product covered by Annex I legislation"
    if not given["annex_i_third_party_assessment"]:
        basis = _cite(rulebook, "annex_i_third_party")
        because = (
            f"{product}, but that product needs no third-party conformity assessment, so the "
            "Annex I route does not make it high-risk."
        )
        return [_Finding((), Reason("eu.art6.1.no_third_party", basis, because, asked), (basis,))]
    route = _cite(rulebook, "annex_i_route")
    because = (
        f"{product}, and that product must undergo third-party conformity assessment: "
        f"high-risk under {route}."
    )
    return [
        _Finding(
            (HIGH_RISK_ANNEX_I,),
            Reason("eu.art6.1", route, because, asked),
            (route, _cite(rulebook, "annex_i")),
        )
    ]


def _annex_iii(given: dict[str, Any], rulebook: dict[str, Any]) -> list[_Finding]:
    chosen = _chosen_points(given, rulebook)
    listed = [point for point in chosen if "excluded_from" not in point]
    findings = [_listed(given, listed, rulebook)] if listed else []
    unsettled = [point for point in chosen if point["key"] == UNKNOWN]
    findings += [_unsettled_use(unsettled, rulebook)] if unsettled else []
    return findings + [_excluded(point) for point in chosen if "excluded_from" in point]


def _unsettled_use(points: list[dict[str, Any]], rulebook: dict[str, Any]) -> _Finding:
    route = _cite(rulebook, "annex_iii_route")
    because = (
        f"Which use it is intended for under {_and(p['id'] for p in points)} is not known yet, so "
        f"it is taken to be a use listed there ({route}), not one the point excludes (the "
        "cautious side). Provisional."
    )
    reason = Reason("eu.annex_iii.assumed", route, because, ("annex_iii_area", "annex_iii_point"))
    return _Finding((), reason, (route, *_ids(points)))


def _excluded(use: dict[str, Any]) -> _Finding:
    because = (
        f"{use['title']} is excluded from {use['id']} ({use['excluded_from']}), so that use does "
        "not make it high-risk."
    )
    reason = Reason(EXCLUDED_RULE, use["id"], because, ("annex_iii_area", "annex_iii_point"))
    return _Finding((), reason, (use["id"],))


def _listed(
    given: dict[str, Any], points: list[dict[str, Any]], rulebook: dict[str, Any]
) -> _Finding:
    """The finding for the Annex III uses it has: high-risk, or not under the derogation."""
    met = [c for c in rulebook["derogation_conditions"] if c["key"] in given["art6_3_conditions"]]
    if given["profiles_natural_persons"]:
        return _profiling(points, met, rulebook)
    if met and given.get(SIGNIFICANT_RISK):
        return _significant_risk(points, met, rulebook)
    if met:
        return _derogation(points, met, rulebook)
    route, derogation = _cite(rulebook, "annex_iii_route"), _cite(rulebook, "derogation")
    because = (
        f"{_uses(points)} and none of the {derogation} conditions holds: high-risk under {route}."
    )
    asked = ("annex_iii_area", "annex_iii_point", "art6_3_conditions")
    reason = Reason("eu.art6.2", route, because, asked)
    return _Finding((HIGH_RISK_ANNEX_III,), reason, (route, *_ids(points)))


def _uses(points: list[dict[str, Any]]) -> str:
    named = [f"{p['id']} ({p['title']})" for p in points]
    if len(named) == 1:
        return f"Its intended use falls under {named[0]}"
    return f"Its intended uses fall under {', '.join(named[:-1])} and {named[-1]}"


def _ids(points: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p["id"] for p in points))


ASKED_DEROGATION = (
    "annex_iii_area",
    "annex_iii_point",
    "art6_3_conditions",
    "profiles_natural_persons",
)


def _profiling(
    points: list[dict[str, Any]], met: list[dict[str, Any]], rulebook: dict[str, Any]
) -> _Finding:
    derogation, route = _cite(rulebook, "derogation"), _cite(rulebook, "annex_iii_route")
    exception = _cite(rulebook, "profiling_exception")
    despite = f", even though it meets {_conditions(met)}" if met else ""
    because = (
        f"{_uses(points)} and it profiles natural persons, so the {derogation} derogation cannot "
        f"apply{despite}: high-risk under {route}."
    )
    reason = Reason("eu.art6.3.profiling", exception, because, ASKED_DEROGATION)
    return _Finding((HIGH_RISK_ANNEX_III,), reason, (route, *_ids(points), exception))


def _significant_risk(
    points: list[dict[str, Any]], met: list[dict[str, Any]], rulebook: dict[str, Any]
) -> _Finding:
    significant, route = _cite(rulebook, "significant_risk"), _cite(rulebook, "annex_iii_route")
    because = (
        f"{_uses(points)}; it meets {_conditions(met)}, but it poses a significant risk of harm "
        f"(for instance by materially influencing the outcome of decision making), so under "
        f"{significant} the derogation does not apply: high-risk under {route}."
    )
    reason = Reason(
        "eu.art6.3.significant_risk", significant, because, (*ASKED_DEROGATION, SIGNIFICANT_RISK)
    )
    return _Finding((HIGH_RISK_ANNEX_III,), reason, (route, *_ids(points), significant))


def _derogation(
    points: list[dict[str, Any]], met: list[dict[str, Any]], rulebook: dict[str, Any]
) -> _Finding:
    derogation = _cite(rulebook, "derogation")
    documentation = _cite(rulebook, "derogation_documentation")
    registration = _cite(rulebook, "derogation_registration")
    because = (
        f"{_uses(points)}, but it meets {_conditions(met)} and does not profile natural persons, "
        f"so under {derogation} it is not high-risk; the provider must document that assessment "
        f"({documentation}) and register the system ({registration})."
    )
    reason = Reason("eu.art6.3", derogation, because, ASKED_DEROGATION)
    bases = (derogation, *(c["id"] for c in met), *_ids(points), documentation, registration)
    return _Finding((ANNEX_III_NOT_HIGH_RISK,), reason, bases)


def _conditions(met: list[dict[str, Any]]) -> str:
    return ", ".join(f"{c['id']} ({c['title'].lower()})" for c in met)


def _gpai(given: dict[str, Any], rulebook: dict[str, Any]) -> list[_Finding]:
    if not given["gpai_model"]:
        return []
    # Under version 5 a designated model is not asked its compute (so it is not in `given`).
    compute, threshold = given.get(COMPUTE), rulebook["gpai_systemic_flops"]
    systemic = []
    if compute == UNKNOWN and not given[DESIGNATED]:
        systemic.append(_assumed_systemic(threshold, rulebook))
    elif isinstance(compute, int | float) and compute > threshold:
        systemic.append(_presumed_systemic(compute, threshold, rulebook))
    if given[DESIGNATED]:
        systemic.append(_designated_systemic(rulebook))
    obligations = _cite(rulebook, "gpai_obligations")
    because = (
        f"A general-purpose AI model the organisation provides: the {obligations} provider "
        "obligations apply."
    )
    if not systemic:
        because += (
            f" Its training compute ({compute:.3g} FLOPs) does not exceed {threshold:.3g} FLOPs "
            "and the Commission has not designated it, so it has no systemic risk."
        )
    asked = ("gpai_model", "training_compute_flops", "gpai_designated_systemic")
    reason = Reason("eu.gpai", obligations, because, asked)
    return [_Finding((GPAI,), reason, (obligations,)), *systemic]


def _presumed_systemic(compute: float, threshold: float, rulebook: dict[str, Any]) -> _Finding:
    presumption = _cite(rulebook, "gpai_systemic_presumption")
    because = (
        f"Trained with {compute:.3g} FLOPs, above the {threshold:.3g} FLOPs threshold, so it "
        "is presumed to have high-impact capabilities: a general-purpose AI model with "
        "systemic risk."
    )
    reason = Reason("eu.art51.2", presumption, because, ("training_compute_flops",))
    bases = (presumption, _cite(rulebook, "gpai_systemic_obligations"))
    return _Finding((GPAI_SYSTEMIC, GPAI), reason, bases)


def _assumed_systemic(threshold: float, rulebook: dict[str, Any]) -> _Finding:
    presumption = _cite(rulebook, "gpai_systemic_presumption")
    because = (
        f"Its training compute is not known yet, so until it is it is taken to exceed the "
        f"{threshold:.3g} FLOPs threshold (the cautious side): presumed to have high-impact "
        "capabilities, a general-purpose AI model with systemic risk. Provisional."
    )
    reason = Reason("eu.art51.2.assumed", presumption, because, (COMPUTE,))
    bases = (presumption, _cite(rulebook, "gpai_systemic_obligations"))
    return _Finding((GPAI_SYSTEMIC, GPAI), reason, bases)


def _designated_systemic(rulebook: dict[str, Any]) -> _Finding:
    designation = _cite(rulebook, "gpai_systemic_designation")
    because = "The Commission has designated it as a general-purpose AI model with systemic risk."
    reason = Reason("eu.art51.1.b", designation, because, ("gpai_designated_systemic",))
    bases = (designation, _cite(rulebook, "gpai_systemic_obligations"))
    return _Finding((GPAI_SYSTEMIC, GPAI), reason, bases)


def _transparency(given: dict[str, Any], rulebook: dict[str, Any]) -> list[_Finding]:
    duties = rulebook["transparency_obligations"]
    return [
        _Finding(
            (TRANSPARENCY, trigger.label),
            Reason(trigger.rule, duties[trigger.label]["id"], trigger.because, (trigger.key,)),
            (duties[trigger.label]["id"],),
        )
        for trigger in TRIGGERS
        if given.get(trigger.key) is True
    ]


def _deployer_duties(
    given: dict[str, Any], rulebook: dict[str, Any], annex_iii: list[_Finding]
) -> list[_Finding]:
    """The duties a high-risk Annex III system's deployer owes, given who it is and the uses."""
    high_risk = any(HIGH_RISK_ANNEX_III in finding.labels for finding in annex_iii)
    if not high_risk or given["role"] not in DEPLOYING:
        return []
    uses = [p for p in _chosen_points(given, rulebook) if "excluded_from" not in p]
    owed = (_duty(duty, uses, given) for duty in rulebook.get("deployer_duties", ()))
    return [finding for finding in owed if finding is not None]


def _duty(
    duty: dict[str, Any], uses: list[dict[str, Any]], given: dict[str, Any]
) -> _Finding | None:
    covered = [p for p in uses if p["area"] not in duty.get("not_for_areas", ())]
    if not covered:
        return None  # e.g. only critical infrastructure (Annex III point 2)
    owed_by_any = set(duty.get("any_deployer_of", ()))
    # A use not known yet could be any its area lists: the cautious side counts it.
    named = [p for p in covered if {p["key"], *p.get("could_be", ())} & owed_by_any]
    public_answer = given.get(PUBLIC_DEPLOYER)
    public = bool(duty.get("public_deployers")) and public_answer in (True, UNKNOWN)
    if "any_deployer_of" in duty and not (named or public):
        return None
    if named and all(p["key"] == UNKNOWN for p in named):
        who = (
            f"its use under {', '.join(_ids(named))} is not known yet and may be one that binds "
            "any deployer, so it is taken to be (the cautious side); provisional"
        )
    elif named:
        who = f"its use under {', '.join(_ids(named))} binds any deployer"
    elif public and public_answer == UNKNOWN:
        who = (
            "whether its deployer is a public body or a private entity providing public services "
            "is not known yet, so it is taken to be one (the cautious side); provisional"
        )
    elif public:
        who = "its deployer is a public body or a private entity providing public services"
    else:
        who = f"it is a high-risk use under {', '.join(_ids(covered))}"
    because = f"{duty['title']} ({duty['id']}): {who}."
    asked = ("role", "annex_iii_point", *((PUBLIC_DEPLOYER,) if public and not named else ()))
    return _Finding(
        (duty["label"],), Reason(duty["rule"], duty["id"], because, asked), (duty["id"],)
    )


CONVERTED_RULE = "eu.art25.1"


def _conversions(
    given: dict[str, Any], rulebook: dict[str, Any], found: list[_Finding]
) -> list[_Finding]:
    """Art. 25(1): what the deployer did to the system that makes it its provider, if it is
    high-risk; otherwise why what it did does not."""
    ticked = given.get(CONVERSION, ())
    done = [c for c in rulebook.get("provider_conversions", ()) if c["key"] in ticked]
    if not done:
        return []
    asked = ("role", CONVERSION)
    if not any(label in HIGH_RISK for finding in found for label in finding.labels):
        basis = _cite(rulebook, "provider_conversion")
        because = (
            f"It is not high-risk, so {_and(c['title'].lower() for c in done)} does not make the "
            f"organisation its provider under {basis}: it keeps a deployer's obligations."
        )
        return [_Finding((), Reason("eu.art25.not_high_risk", basis, because, asked), (basis,))]
    because = (
        "{title} ({id}): the organisation is considered the provider of this high-risk system, "
        "so it has the provider's obligations as well as the deployer's."
    )
    return [
        _Finding((), Reason(CONVERTED_RULE, c["id"], because.format(**c), asked), (c["id"],))
        for c in done
    ]


def _and(items: Iterable[str]) -> str:
    named = list(items)
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def _minimal(rulebook: dict[str, Any], exclusions: tuple[str, ...]) -> _Finding:
    """Minimal risk: resting on the Annex III points that exclude its uses where it has such a
    use, otherwise on the absence of any trigger (with the voluntary codes open to it)."""
    asked = ("prohibited_practices", "annex_i_product", "annex_iii_area", "gpai_model")
    if exclusions:
        because = (
            "No prohibited practice, no high-risk use under Annex I, its Annex III uses are "
            f"excluded by the point that lists them ({', '.join(exclusions)}), no transparency "
            "trigger and not a general-purpose AI model: minimal risk, with no obligations beyond "
            "AI literacy."
        )
        reason = Reason("eu.minimal", exclusions[0], because, (*asked, "annex_iii_point"))
        return _Finding((MINIMAL,), reason, exclusions)
    codes = _cite(rulebook, "voluntary_codes")
    because = (
        "No prohibited practice, no high-risk use under Annex I or Annex III, no transparency "
        "trigger and not a general-purpose AI model: minimal risk, with no obligations beyond "
        "AI literacy; "
        f"voluntary codes of conduct may be followed ({codes})."
    )
    return _Finding((MINIMAL,), Reason("eu.minimal", codes, because, asked), (codes,))


def _outside(rulebook: dict[str, Any], scoped: dict[str, Any]) -> list[_Finding]:
    if scoped.get(EU_LINK) is False:
        basis = _cite(rulebook, "eu_link")
        because = (
            "It is not placed on the market or put into service in the EU, no deployer there "
            f"uses it and its output is not used there, so the EU AI Act does not reach it "
            f"({basis}): it carries none of the Act's obligations; the model-risk frameworks that "
            "apply to it still do."
        )
        return [_Finding((OUTSIDE_ACT,), Reason("eu.art2.1", basis, because, (EU_LINK,)), (basis,))]
    ticked = scoped.get(SCOPE, [])
    return [
        _Finding(
            (OUTSIDE_ACT,),
            Reason(
                "eu.art2",
                exclusion["id"],
                f"{exclusion['title']} ({exclusion['id']}): the EU AI Act does not apply to it, so "
                "it carries none of the Act's obligations; the model-risk frameworks that apply "
                "to it still do.",
                ("role", SCOPE),
            ),
            (exclusion["id"],),
        )
        for exclusion in rulebook.get("scope_exclusions", ())
        if exclusion["key"] in ticked
    ]


def _unknown_eu_link(given: dict[str, Any], rulebook: dict[str, Any]) -> list[_Finding]:
    if given.get(EU_LINK) != UNKNOWN:
        return []
    basis = _cite(rulebook, "eu_link")
    because = (
        "Whether it reaches the EU (placed on the market or put into service there, used by a "
        f"deployer there, or its output used there) is not known yet, so the Act ({basis}) is "
        "taken to apply (the cautious side). Provisional."
    )
    return [_Finding((), Reason("eu.art2.1.assumed", basis, because, (EU_LINK,)), (basis,))]


def _operator_duties(
    given: dict[str, Any], rulebook: dict[str, Any], found: list[_Finding]
) -> list[_Finding]:
    """What an importer, distributor or authorised representative owes: its own duties for a
    high-risk system, none under the Act otherwise."""
    role = given["role"]
    operator = next((o for o in rulebook.get("other_operators", ()) if o["key"] == role), None)
    if operator is None:
        return []
    title, basis = operator["title"], operator["id"]
    if any(label in HIGH_RISK for finding in found for label in finding.labels):
        because = f"{title} ({basis}): {operator['summary']}"
        reason = Reason(f"eu.operator.{role}", basis, because, ("role",))
    else:
        because = (
            f"It is not high-risk, so the {title.lower()} ({basis}), which concern high-risk "
            "systems, do not apply to the organisation."
        )
        reason = Reason("eu.operator.not_high_risk", basis, because, ("role",))
    return [_Finding((), reason, (basis,))]


LEGACY_HIGH_RISK_RULE = "eu.art111.2"


def _transition(
    given: dict[str, Any], rulebook: dict[str, Any], found: list[_Finding]
) -> list[_Finding]:
    """Art. 111: when a system or model already on the market owes its obligations."""
    transition = rulebook.get("transition")
    if not transition:
        return []
    findings = []
    if given.get(LEGACY) is True and any(x in HIGH_RISK for f in found for x in f.labels):
        findings.append(_legacy_high_risk(given, rulebook, transition))
    if given.get("gpai_model") and given.get(LEGACY_GPAI) is True:
        basis = _cite(rulebook, "legacy_gpai")
        because = (
            f"It was placed on the market before {_day(transition['gpai_placed_before'])}, so "
            f"its provider must comply with the general-purpose AI model obligations by "
            f"{_day(transition['gpai_by'])} ({basis})."
        )
        reason = Reason("eu.art111.3", basis, because, ("gpai_model", LEGACY_GPAI))
        findings.append(_Finding((), reason, (basis,)))
    return findings


def _legacy_high_risk(
    given: dict[str, Any], rulebook: dict[str, Any], transition: dict[str, Any]
) -> _Finding:
    basis = _cite(rulebook, "legacy_high_risk")
    placed = (
        "It was placed on the market or put into service before "
        f"{_day(transition['high_risk_placed_before'])}"
    )
    if given[CHANGED]:
        because = (
            f"{placed}, but its design has changed significantly since, so {basis} does not "
            "defer its high-risk obligations: they apply as to a new system."
        )
    elif given[PUBLIC_AUTHORITY]:
        because = (
            f"{placed}, has not changed significantly in design since and is intended to be used "
            f"by public authorities, so its providers and deployers must comply with the "
            f"high-risk obligations by {_day(transition['public_authorities_by'])} ({basis})."
        )
    else:
        because = (
            f"{placed}, has not changed significantly in design since and is not intended for "
            f"public authorities, so under {basis} the high-risk obligations reach it only once "
            "its design changes significantly. Its checklist keeps them (the cautious side), "
            "ready for such a change."
        )
    reason = Reason(LEGACY_HIGH_RISK_RULE, basis, because, (LEGACY, CHANGED, PUBLIC_AUTHORITY))
    return _Finding((), reason, (basis,))


def _transition_due(
    label: str, given: dict[str, Any], rulebook: dict[str, Any]
) -> datetime.date | None:
    """The Art. 111 date by which a label's obligations are due, where one defers them."""
    transition = rulebook.get("transition")
    if not transition:
        return None
    unchanged = given.get(LEGACY) is True and given.get(CHANGED) is False
    if label in (*HIGH_RISK, *DEPLOYER_DUTIES) and unchanged and given.get(PUBLIC_AUTHORITY):
        due: datetime.date = transition["public_authorities_by"]
        return due
    if label in (GPAI, GPAI_SYSTEMIC) and given.get(LEGACY_GPAI) is True:
        due = transition["gpai_by"]
        return due
    return None


UNTIL_CHANGED = "only once its design changes significantly"


def _transition_details(
    findings: list[_Finding], outcome: Outcome, given: dict[str, Any]
) -> dict[str, str]:
    """Each Art. 111 paragraph that holds, with the date compliance is due (or when it is)."""
    dates = outcome.details["applies_from"]
    due: dict[str, str] = {}
    for finding in findings:
        rule, basis = finding.reason.rule, finding.reason.basis
        if rule == "eu.art111.3":
            due[basis] = dates[GPAI]
        elif rule == LEGACY_HIGH_RISK_RULE:
            high = next(label for label in outcome.labels if label in HIGH_RISK)
            waits = not given[CHANGED] and not given[PUBLIC_AUTHORITY]
            due[basis] = UNTIL_CHANGED if waits else dates[high]
    return due


def _ai_literacy(rulebook: dict[str, Any]) -> _Finding:
    literacy = _cite(rulebook, "ai_literacy")
    because = (
        "Every provider and deployer of an AI system must take measures so that the staff who "
        "operate it have sufficient AI literacy."
    )
    return _Finding((AI_LITERACY,), Reason("eu.art4", literacy, because, ("role",)), (literacy,))


# ---- Classification --------------------------------------------------------------------------


def classify(answers: dict[str, Any], rulebook: dict[str, Any], *, as_of: datetime.date) -> Outcome:
    """The system's EU AI Act category under `rulebook`, every label that applies and why.

    `as_of` keeps the call shape every rules module shares (scoping's frameworks depend on it);
    whether a label applies on a day is read from `applies_from` when the result is read
    (`results.in_force`), so a stored result never goes stale.
    """
    answers = _upgraded(answers)
    asked = questions(rulebook)
    outside = _outside(rulebook, _only(answers, asked, SCOPE, EU_LINK))
    if outside:
        # Outside the Act nothing else it asks matters but the role, kept with every result.
        return _outcome(outside, _only(answers, asked, "role"), rulebook)
    given = _shown_answers(answers, asked)
    _require_consistent(answers, given, rulebook)
    findings = _findings(given, rulebook)
    return _provisional(
        _with_transition(_outcome(findings, given, rulebook), findings, given), given
    )


def _only(answers: dict[str, Any], asked: tuple[Question, ...], *keys: str) -> dict[str, Any]:
    return _shown_answers(answers, tuple(q for q in asked if q.key in keys))


def _with_transition(outcome: Outcome, findings: list[_Finding], given: dict[str, Any]) -> Outcome:
    due = _transition_details(findings, outcome, given)
    return (
        dataclasses.replace(outcome, details={**outcome.details, "transition": due})
        if due
        else outcome
    )


def _provisional(outcome: Outcome, given: dict[str, Any]) -> Outcome:
    """Mark a result resting on "not known yet" answers as provisional, naming them."""
    open_questions = [
        key
        for key, value in given.items()
        if value == UNKNOWN or (isinstance(value, list) and UNKNOWN in value)
    ]
    if not open_questions:
        return outcome
    details = {**outcome.details, "provisional": True, "open_questions": open_questions}
    return dataclasses.replace(outcome, details=details)


def _findings(given: dict[str, Any], rulebook: dict[str, Any]) -> list[_Finding]:
    annex_iii = _annex_iii(given, rulebook)
    high_risk = [*_annex_i(given, rulebook), *annex_iii]
    findings = [
        *_unknown_eu_link(given, rulebook),
        *_prohibited(given, rulebook),
        *high_risk,
        *_conversions(given, rulebook, high_risk),
        *_operator_duties(given, rulebook, high_risk),
        *_transition(given, rulebook, high_risk),
        *_gpai(given, rulebook),
        *_transparency(given, rulebook),
        *_deployer_duties(given, rulebook, annex_iii),
    ]
    if not any(label in SEVERITY for finding in findings for label in finding.labels):
        exclusions = tuple(f.reason.basis for f in findings if f.reason.rule == EXCLUDED_RULE)
        findings.append(_minimal(rulebook, tuple(dict.fromkeys(exclusions))))
    # Art. 4 binds providers and deployers, not importers, distributors or representatives.
    if given["role"] in (*PROVIDING, *DEPLOYING):
        findings.append(_ai_literacy(rulebook))
    return findings


def _outcome(findings: list[_Finding], given: dict[str, Any], rulebook: dict[str, Any]) -> Outcome:
    labels = _ordered({label for finding in findings for label in finding.labels})
    applies_from = {label: _applies_from(label, given, rulebook) for label in labels}
    # Art. 25(1): a deployer considered the provider owes the provider's obligations as well.
    provider_under = [f.reason.basis for f in findings if f.reason.rule == CONVERTED_RULE]
    role = "provider_and_deployer" if provider_under else given["role"]
    return Outcome(
        framework=FRAMEWORK,
        result=labels[0],
        legal_basis=tuple(dict.fromkeys(basis for f in findings for basis in f.bases)),
        reasons=tuple(finding.reason for finding in findings),
        labels=labels,
        details={
            "role": role,
            **({"provider_under": provider_under} if provider_under else {}),
            # Whether each applies is worked out when the result is read (results.in_force).
            "applies_from": {label: day.isoformat() for label, day in applies_from.items()},
            "rulebook": rulebook["version"],
            # The approval workflow refuses a prohibited system, even before its ban applies.
            "blocked": PROHIBITED in labels,
        },
    )


def _ordered(labels: set[str]) -> tuple[str, ...]:
    return tuple(label for label in LABEL_ORDER if label in labels)


def _applies_from(label: str, given: dict[str, Any], rulebook: dict[str, Any]) -> datetime.date:
    # Rulebook dates arrive as datetime.date: YAML reads them so, and stored content is read back
    # through as_rules.
    applies_from: datetime.date
    due = _transition_due(label, given, rulebook)
    if due is not None:
        applies_from = due
    elif label == PROHIBITED:
        # Practices are banned from different dates; the earliest ban found decides.
        applies_from = min(p["applies_from"] for p in _chosen_practices(given, rulebook))
    else:
        applies_from = rulebook["application_dates"][label]
    return applies_from


def citations(rulebook: dict[str, Any]) -> tuple[str, ...]:
    """Every provision the questions explain and the reasons can cite under this rulebook."""
    found = [
        *(p["id"] for p in rulebook["practices"]),
        *(e["id"] for e in rulebook.get("scope_exclusions", ())),
        *(p["id"] for area in rulebook["annex_iii_areas"] for p in _annex_iii_points(area)),
        *(c["id"] for c in rulebook["derogation_conditions"]),
        *(d["id"] for d in rulebook["transparency_obligations"].values()),
        *(d["id"] for d in rulebook.get("deployer_duties", ())),
        *(c["id"] for c in rulebook.get("provider_conversions", ())),
        *(i for o in rulebook.get("other_operators", ()) for i in (o["id"], o["definition"])),
        *(
            f"Annex III {area['point']}"
            for area in rulebook["annex_iii_areas"]
            if _open(rulebook, "annex_iii_point")
        ),
        *(p["id"] for p in rulebook["provisions"].values()),
    ]
    return tuple(dict.fromkeys(found))


def strictest(outcomes: Iterable[Outcome]) -> Outcome | None:
    """The outcome with the strictest headline (the first given on a tie); None for none."""
    return min(outcomes, key=lambda outcome: SEVERITY.index(outcome.result), default=None)
