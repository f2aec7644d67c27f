"""EU AI Act classification: the category of one AI system (a use case) on a given date.

The rulebook (governance/rulebooks/data/eu_ai_act/*.yaml, one file per version of the law) holds the
practices, Annex III uses, derogation conditions, article numbers, thresholds and application
dates; this module holds the questions and how answers combine into categories.

Visibility: a question with `shown_if=(key, "*")` is asked once `key` has an answer other than
"none" (choosing no Annex III area leaves nothing to ask about one). Answers left over from when a
question was shown are ignored once it is hidden, except GPAI facts given for something that is
not a GPAI model, which contradict that answer.
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from governance.risk.rules.results import (
    ANY,
    NONE,
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
AI_LITERACY = "ai_literacy"

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
LABEL_ORDER = (*SEVERITY, *(trigger.label for trigger in TRIGGERS), AI_LITERACY)


# ---- Questions -------------------------------------------------------------------------------


def questions(rulebook: dict[str, Any]) -> tuple[Question, ...]:
    """The questionnaire; practices, Annex III uses and conditions come from the rulebook."""
    return (
        _role_question(rulebook),
        _practices_question(rulebook),
        *_annex_i_questions(rulebook),
        *_annex_iii_questions(rulebook),
        *_transparency_questions(rulebook),
        *_gpai_questions(rulebook),
    )


def _explained(rulebook: dict[str, Any], *names: str) -> str:
    provisions = rulebook["provisions"]
    return " ".join(f"{provisions[n]['id']}: {provisions[n]['summary']}" for n in names)


def _described(item: dict[str, Any]) -> str:
    return f"{item['id']} {item['title']}: {item['summary']}"


def _role_question(rulebook: dict[str, Any]) -> Question:
    return Question(
        key="role",
        text="What is the organisation's role for this AI system?",
        kind="choice",
        help=_explained(rulebook, "provider", "deployer"),
        choices=ROLES,
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
            text="Is its intended purpose in one of the Annex III areas?",
            kind="choice",
            help=_explained(rulebook, "annex_iii_route"),
            choices=(
                *((a["key"], f"{a['point']}. {a['title']}") for a in areas),
                (NONE, "None of these"),
            ),
        ),
        Question(
            key="annex_iii_point",
            text="Which use listed in that area is it intended for?",
            kind="choice",
            help="Only the uses listed under the chosen area apply.",
            choices=tuple(
                (point["key"], _described(point))
                for area in areas
                for point in _annex_iii_points(area)
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
        Question(
            key="profiles_natural_persons",
            text="Does it profile natural persons (automatically evaluate personal aspects such "
            "as work performance, economic situation, health, preferences, behaviour or "
            "location)?",
            kind="bool",
            help=_explained(rulebook, "profiling_exception"),
            shown_if=("annex_iii_area", ANY),
        ),
    )


def _annex_iii_points(area: dict[str, Any]) -> list[dict[str, Any]]:
    # The rulebook writes sub-point ids within their area ("5(b)"); reasons cite them in full.
    return [{**point, "id": f"Annex III {point['id']}"} for point in area["sub_points"]]


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
    return (
        Question(
            key="gpai_model",
            text="Is it a general-purpose AI model that the organisation provides?",
            kind="bool",
            help=_explained(rulebook, "gpai_model", "gpai_obligations"),
        ),
        Question(
            key="training_compute_flops",
            text="What was the cumulative compute used to train it, in floating-point "
            "operations (FLOPs)? Give your best estimate.",
            kind="number",
            help=f"{_explained(rulebook, 'gpai_systemic_presumption')} The threshold in this "
            f"rulebook is {rulebook['gpai_systemic_flops']:.3g} FLOPs.",
            shown_if=("gpai_model", True),
        ),
        Question(
            key="gpai_designated_systemic",
            text="Has the Commission designated it as a general-purpose AI model with systemic "
            "risk?",
            kind="bool",
            help=_explained(rulebook, "gpai_systemic_designation"),
            shown_if=("gpai_model", True),
        ),
    )


# ---- Answers ---------------------------------------------------------------------------------


def _shown_answers(answers: dict[str, Any], asked: tuple[Question, ...]) -> dict[str, Any]:
    """The answers to the questions shown, once every one of them is answered and valid."""
    relevant = shown(asked, answers)
    # A bad value first: it may be what shows the questions that look unanswered.
    for question in relevant:
        if not is_blank(answers.get(question.key)):
            _require_valid(question, answers[question.key])
    missing = [q.key for q in unanswered(relevant, answers)]
    if missing:
        raise AnswersIncomplete(missing)
    return {q.key: answers[q.key] for q in relevant}


def _require_valid(question: Question, value: Any) -> None:
    # The service stores whatever the client sent; a bad value must name its question.
    allowed = [choice for choice, _ in question.choices]
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
    _require_point_in_area(given, rulebook)
    _require_gpai_facts_only_for_gpai(answers, given)
    _require_implied(given, rulebook)


def _require_point_in_area(given: dict[str, Any], rulebook: dict[str, Any]) -> None:
    area = _chosen_area(given, rulebook)
    if area is not None and given["annex_iii_point"] not in {p["key"] for p in area["sub_points"]}:
        raise AnswersContradict(
            "annex_iii_point",
            f"is not a use listed under Annex III point {area['point']} ({area['title']}); "
            "choose one of its uses or another area",
        )


def _require_gpai_facts_only_for_gpai(answers: dict[str, Any], given: dict[str, Any]) -> None:
    if given["gpai_model"] and given["role"] == DEPLOYER:
        raise AnswersContradict(
            "gpai_model",
            "general-purpose AI model obligations fall on the model's provider; a deployer "
            "that does not provide the model answers no (or its role is provider)",
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
    chosen = _chosen_practices(given, rulebook)
    point = _chosen_point(given, rulebook)
    if point is not None:
        chosen.append(point)
    for item in chosen:
        for key in item.get("implies", ()):
            if given.get(key) is False:
                raise AnswersContradict(
                    key, f"must be yes: {item['id']} ({item['title']}) implies it by definition"
                )


def _chosen_practices(given: dict[str, Any], rulebook: dict[str, Any]) -> list[dict[str, Any]]:
    ticked = given["prohibited_practices"]
    return [p for p in rulebook["practices"] if p["key"] in ticked]


def _chosen_area(given: dict[str, Any], rulebook: dict[str, Any]) -> dict[str, Any] | None:
    key = given["annex_iii_area"]
    return next((a for a in rulebook["annex_iii_areas"] if a["key"] == key), None)


def _chosen_point(given: dict[str, Any], rulebook: dict[str, Any]) -> dict[str, Any] | None:
    area = _chosen_area(given, rulebook)
    if area is None:
        return None
    return next(p for p in _annex_iii_points(area) if p["key"] == given["annex_iii_point"])


# ---- Rules -----------------------------------------------------------------------------------


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
    point = _chosen_point(given, rulebook)
    if point is None:
        return []
    use = f"Its intended use falls under {point['id']} ({point['title']})"
    route = _cite(rulebook, "annex_iii_route")
    met = [c for c in rulebook["derogation_conditions"] if c["key"] in given["art6_3_conditions"]]
    if given["profiles_natural_persons"]:
        return [_profiling(use, point, met, rulebook)]
    if not met:
        derogation = _cite(rulebook, "derogation")
        because = f"{use} and none of the {derogation} conditions holds: high-risk under {route}."
        asked = ("annex_iii_area", "annex_iii_point", "art6_3_conditions")
        reason = Reason("eu.art6.2", route, because, asked)
        return [_Finding((HIGH_RISK_ANNEX_III,), reason, (route, point["id"]))]
    return [_derogation(use, point, met, rulebook)]


def _profiling(
    use: str, point: dict[str, Any], met: list[dict[str, Any]], rulebook: dict[str, Any]
) -> _Finding:
    derogation, route = _cite(rulebook, "derogation"), _cite(rulebook, "annex_iii_route")
    exception = _cite(rulebook, "profiling_exception")
    despite = f", even though it meets {_conditions(met)}" if met else ""
    because = (
        f"{use} and it profiles natural persons, so the {derogation} derogation cannot apply"
        f"{despite}: high-risk under {route}."
    )
    asked = ("annex_iii_area", "annex_iii_point", "art6_3_conditions", "profiles_natural_persons")
    reason = Reason("eu.art6.3.profiling", exception, because, asked)
    return _Finding((HIGH_RISK_ANNEX_III,), reason, (route, point["id"], exception))


def _derogation(
    use: str, point: dict[str, Any], met: list[dict[str, Any]], rulebook: dict[str, Any]
) -> _Finding:
    derogation = _cite(rulebook, "derogation")
    documentation = _cite(rulebook, "derogation_documentation")
    registration = _cite(rulebook, "derogation_registration")
    because = (
        f"{use}, but it meets {_conditions(met)} and does not profile natural persons, so under "
        f"{derogation} it is not high-risk; the provider must document that assessment "
        f"({documentation}) and register the system ({registration})."
    )
    asked = ("annex_iii_area", "annex_iii_point", "art6_3_conditions", "profiles_natural_persons")
    reason = Reason("eu.art6.3", derogation, because, asked)
    bases = (derogation, *(c["id"] for c in met), point["id"], documentation, registration)
    return _Finding((ANNEX_III_NOT_HIGH_RISK,), reason, bases)


def _conditions(met: list[dict[str, Any]]) -> str:
    return ", ".join(f"{c['id']} ({c['title'].lower()})" for c in met)


def _gpai(given: dict[str, Any], rulebook: dict[str, Any]) -> list[_Finding]:
    if not given["gpai_model"]:
        return []
    compute, threshold = given["training_compute_flops"], rulebook["gpai_systemic_flops"]
    systemic = []
    if compute > threshold:
        systemic.append(_presumed_systemic(compute, threshold, rulebook))
    if given["gpai_designated_systemic"]:
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


def _minimal(rulebook: dict[str, Any]) -> _Finding:
    codes = _cite(rulebook, "voluntary_codes")
    because = (
        "No prohibited practice, no high-risk use under Annex I or Annex III, no transparency "
        "trigger and not a general-purpose AI model: minimal risk, with no obligations beyond "
        "AI literacy; "
        f"voluntary codes of conduct may be followed ({codes})."
    )
    asked = ("prohibited_practices", "annex_i_product", "annex_iii_area", "gpai_model")
    return _Finding((MINIMAL,), Reason("eu.minimal", codes, because, asked), (codes,))


def _ai_literacy(rulebook: dict[str, Any]) -> _Finding:
    literacy = _cite(rulebook, "ai_literacy")
    because = (
        "Every provider and deployer of an AI system must take measures so that the staff who "
        "operate it have sufficient AI literacy."
    )
    return _Finding((AI_LITERACY,), Reason("eu.art4", literacy, because, ("role",)), (literacy,))


# ---- Classification --------------------------------------------------------------------------


def classify(answers: dict[str, Any], rulebook: dict[str, Any], *, as_of: datetime.date) -> Outcome:
    """The system's EU AI Act category on `as_of`, every label that applies and why."""
    given = _shown_answers(answers, questions(rulebook))
    _require_consistent(answers, given, rulebook)
    findings = [
        *_prohibited(given, rulebook),
        *_annex_i(given, rulebook),
        *_annex_iii(given, rulebook),
        *_gpai(given, rulebook),
        *_transparency(given, rulebook),
    ]
    if not any(label in SEVERITY for finding in findings for label in finding.labels):
        findings.append(_minimal(rulebook))
    findings.append(_ai_literacy(rulebook))
    labels = _ordered({label for finding in findings for label in finding.labels})
    applies_from = {label: _applies_from(label, given, rulebook) for label in labels}
    return Outcome(
        framework=FRAMEWORK,
        result=labels[0],
        legal_basis=tuple(dict.fromkeys(basis for f in findings for basis in f.bases)),
        reasons=tuple(finding.reason for finding in findings),
        labels=labels,
        details={
            "role": given["role"],
            "applies_from": {label: day.isoformat() for label, day in applies_from.items()},
            "in_force": {label: day <= as_of for label, day in applies_from.items()},
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
    if label == PROHIBITED:
        # Practices are banned from different dates; the earliest ban found decides.
        applies_from = min(p["applies_from"] for p in _chosen_practices(given, rulebook))
    else:
        applies_from = rulebook["application_dates"][label]
    return applies_from


def strictest(outcomes: Iterable[Outcome]) -> Outcome | None:
    """The outcome with the strictest headline (the first given on a tie); None for none."""
    return min(outcomes, key=lambda outcome: SEVERITY.index(outcome.result), default=None)
