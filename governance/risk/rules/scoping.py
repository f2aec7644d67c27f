"""Scoping: which model-risk and AI frameworks apply to an inventory entry on a given date.

The rules data (governance/rulebooks/data/scoping/*.yaml) holds the definitions, their citations and
the dates each framework is in force; this module holds the questions and how answers combine.
"""

import datetime
from typing import Any

from governance.risk.rules.results import (
    AnswersContradict,
    AnswersIncomplete,
    Outcome,
    Question,
    Reason,
    shown,
    unanswered,
)

FRAMEWORK = "scoping"
IN_SCOPE, OUT_OF_SCOPE = "in_scope", "out_of_scope"
# Labels always come in this order, so outcomes stored at different times compare equal.
FRAMEWORKS = ("eu_ai_act", "sr_26_2", "sr_11_7", "pra_ss1_23")

STATISTICAL, MACHINE_LEARNING, DETERMINISTIC = "statistical", "machine_learning", "deterministic"
PRA_INTERNAL_MODELS, PRA_ADOPTED, PRA_NO = "internal_models", "adopted", "no"

Verdict = tuple[bool, Reason]

TECHNIQUES = (
    (
        STATISTICAL,
        (
            "Statistical, econometric or financial methods estimated or calibrated on data "
            "(e.g. a regression scorecard, a VaR model)"
        ),
    ),
    (
        MACHINE_LEARNING,
        "Machine learning or other AI that learns from data, including large language models",
    ),
    (
        DETERMINISTIC,
        (
            "A deterministic calculation or rules defined solely by people "
            "(spreadsheet arithmetic, business rules, an end-user computing tool)"
        ),
    ),
)
PRA_FIRMS = (
    (
        PRA_INTERNAL_MODELS,
        (
            "Yes: a UK-incorporated bank, building society or PRA-designated investment firm "
            "with approval to use internal models for regulatory capital"
        ),
    ),
    (PRA_ADOPTED, "Not addressed by SS1/23, but applies it by its own policy"),
    (PRA_NO, "No"),
)


def questions(rules: dict[str, Any]) -> tuple[Question, ...]:
    """The scoping questionnaire; each question's help is the definition it tests."""
    definitions = rules["definitions"]

    def explained(*names: str) -> str:
        return " ".join(definitions[name]["summary"] for name in names)

    return (
        Question(
            key="quantitative_method",
            text="Does it apply statistical, economic, financial or mathematical theories, "
            "techniques or assumptions to turn input data into quantitative estimates?",
            kind="bool",
            help=explained("sr_11_7_model"),
        ),
        Question(
            key="technique",
            text="How does it produce its outputs?",
            kind="choice",
            help=explained("sr_26_2_model", "pra_model"),
            choices=TECHNIQUES,
        ),
        Question(
            key="used_in_business",
            text="Are its outputs used, or intended to be used, in the organisation's "
            "decisions, reporting or other business processes?",
            kind="bool",
            help=explained("sr_11_7_model"),
        ),
        Question(
            key="generative_or_agentic",
            text="Is it a generative AI application (it produces text, images, code or other "
            "content) or an agentic AI application (it plans and takes actions towards a goal)?",
            kind="bool",
            help=explained("sr_26_2_ai_carve_out"),
            shown_if=("technique", MACHINE_LEARNING),
        ),
        Question(
            key="ai_system",
            text="Is it an AI system: machine-based, working with some autonomy, and inferring "
            "from its inputs how to produce outputs such as predictions, content, "
            "recommendations or decisions?",
            kind="bool",
            help=explained("ai_system"),
        ),
        Question(
            key="us_banking_org",
            text="Is the organisation a US banking organisation supervised by the Federal "
            "Reserve, the OCC or the FDIC?",
            kind="bool",
            help=explained("us_banking_organisation"),
        ),
        Question(
            key="pra_firm",
            text="Is the organisation a UK firm that PRA SS1/23 addresses?",
            kind="choice",
            help=explained("pra_firm"),
            choices=PRA_FIRMS,
        ),
        Question(
            key="eu_nexus",
            text="Is it placed on the EU market or put into service in the EU, or are its "
            "outputs used in the EU?",
            kind="bool",
            help=explained("eu_territorial"),
        ),
    )


def organisation_answers(
    *, us_banking_organisation: bool | None, pra_firm: str, eu_establishment: bool | None
) -> dict[str, Any]:
    """The scoping answers the organisation profile gives every model (unstated facts give none).

    An organisation established in the EU deploys its systems there (Art. 2(1)(b)); one that is
    not may still have outputs used in the EU, so "no" leaves that question to each model.
    """
    answers: dict[str, Any] = {}
    if us_banking_organisation is not None:
        answers["us_banking_org"] = us_banking_organisation
    if pra_firm:
        answers["pra_firm"] = pra_firm
    if eu_establishment:
        answers["eu_nexus"] = True
    return answers


def scope(answers: dict[str, Any], rules: dict[str, Any], *, as_of: datetime.date) -> Outcome:
    """Which frameworks apply to the entry on `as_of`, and the definitions that decided it."""
    _require_answered(answers, questions(rules))
    _require_consistent(answers)
    definitions = rules["definitions"]
    sr_11_7_model = _sr_11_7_model(answers, definitions)
    sr_26_2_model = _sr_26_2_model(answers, definitions)
    ai_system = _ai_system(answers, definitions)
    pra_model = _pra_model(answers, definitions)
    verdicts = {
        "eu_ai_act": _eu_ai_act(answers, ai_system, rules, as_of),
        "sr_26_2": _us_guidance("sr_26_2", sr_26_2_model, answers, rules, as_of),
        "sr_11_7": _us_guidance("sr_11_7", sr_11_7_model, answers, rules, as_of),
        "pra_ss1_23": _pra(answers, pra_model, rules, as_of),
    }
    labels = tuple(name for name in FRAMEWORKS if verdicts[name][0])
    reasons = (
        sr_11_7_model[1],
        sr_26_2_model[1],
        ai_system[1],
        pra_model[1],
        *(verdicts[name][1] for name in FRAMEWORKS),
    )
    return Outcome(
        framework=FRAMEWORK,
        result=IN_SCOPE if labels else OUT_OF_SCOPE,
        legal_basis=tuple(dict.fromkeys(reason.basis for reason in reasons)),
        reasons=reasons,
        labels=labels,
        details={
            "is_model_sr_26_2": sr_26_2_model[0],
            "is_model_sr_11_7": sr_11_7_model[0],
            "is_ai_system": ai_system[0],
            "frameworks": list(labels),
        },
    )


# ---- Answers ---------------------------------------------------------------------------------


def _require_answered(answers: dict[str, Any], asked: tuple[Question, ...]) -> None:
    missing = [q.key for q in unanswered(asked, answers)]
    if missing:
        raise AnswersIncomplete(missing)
    for question in shown(asked, answers):
        _require_valid(question, answers[question.key])


def _require_valid(question: Question, value: Any) -> None:
    # The service stores whatever the client sent; a bad value must name its question.
    if question.kind == "bool" and not isinstance(value, bool):
        raise AnswersContradict(question.key, "must be yes or no")
    allowed = [choice for choice, _ in question.choices]
    if question.kind == "choice" and value not in allowed:
        raise AnswersContradict(question.key, f"must be one of: {', '.join(allowed)}")


def _is_generative(answers: dict[str, Any]) -> bool:
    # An answer left over from when the question was shown must not count once it is hidden.
    return answers["technique"] == MACHINE_LEARNING and answers.get("generative_or_agentic") is True


def _require_consistent(answers: dict[str, Any]) -> None:
    if answers["technique"] == DETERMINISTIC and answers["ai_system"]:
        raise AnswersContradict(
            "ai_system",
            "rules defined solely by people do not infer how to produce their outputs, "
            "so this cannot be an AI system (Art. 3(1))",
        )
    if _is_generative(answers) and not answers["ai_system"]:
        raise AnswersContradict(
            "ai_system",
            "a generative or agentic AI application infers its outputs, so it is an AI system "
            "(Art. 3(1))",
        )


# ---- Definitions -----------------------------------------------------------------------------


def _sr_11_7_model(answers: dict[str, Any], definitions: dict[str, Any]) -> Verdict:
    basis = definitions["sr_11_7_model"]["basis"]
    if not answers["quantitative_method"]:
        return False, Reason(
            "scope.sr_11_7.model",
            basis,
            "It does not turn inputs into quantitative estimates with statistical, economic, "
            "financial or mathematical methods: not a model under SR 11-7.",
            ("quantitative_method",),
        )
    if not answers["used_in_business"]:
        return False, Reason(
            "scope.sr_11_7.model",
            basis,
            "Its outputs are not used in the business, so it lacks the reporting component of "
            "SR 11-7's model definition.",
            ("quantitative_method", "used_in_business"),
        )
    return True, Reason(
        "scope.sr_11_7.model",
        basis,
        "It turns inputs into quantitative estimates that the business uses: a model under "
        "SR 11-7's broad definition, which also covers deterministic mathematical tools.",
        ("quantitative_method", "used_in_business"),
    )


def _sr_26_2_model(answers: dict[str, Any], definitions: dict[str, Any]) -> Verdict:
    # SR 26-2 narrows SR 11-7: the same estimate-producing method, but complex and resting on
    # statistical, economic or financial theory, and never a generative or agentic AI tool.
    if _is_generative(answers):
        return False, Reason(
            "scope.sr_26_2.ai_carve_out",
            definitions["sr_26_2_ai_carve_out"]["basis"],
            "Generative and agentic AI applications are outside SR 26-2's scope; govern this one "
            "under the firm's own AI risk management.",
            ("technique", "generative_or_agentic"),
        )
    basis = definitions["sr_26_2_model"]["basis"]
    if not (answers["quantitative_method"] and answers["used_in_business"]):
        return False, Reason(
            "scope.sr_26_2.model",
            basis,
            "It is not a quantitative method producing estimates the business uses, so SR 26-2's "
            "narrower definition is not met either.",
            ("quantitative_method", "used_in_business"),
        )
    if answers["technique"] == DETERMINISTIC:
        return False, Reason(
            "scope.sr_26_2.model",
            basis,
            "Simple spreadsheet arithmetic and deterministic rule-based tools fall outside SR "
            "26-2's model definition; govern it under end-user computing controls.",
            ("technique",),
        )
    return True, Reason(
        "scope.sr_26_2.model",
        basis,
        "A complex method resting on statistical, economic or financial theory whose estimates "
        "the business uses: a model under SR 26-2's narrower definition.",
        ("quantitative_method", "technique", "used_in_business"),
    )


def _ai_system(answers: dict[str, Any], definitions: dict[str, Any]) -> Verdict:
    basis = definitions["ai_system"]["basis"]
    if answers["ai_system"]:
        return True, Reason(
            "scope.eu_ai_act.ai_system",
            basis,
            "It infers from its inputs, with some autonomy, how to produce its outputs: an AI "
            "system.",
            ("ai_system",),
        )
    if answers["technique"] == DETERMINISTIC:
        because = "It only executes rules defined solely by people, so it infers nothing: not an AI system."
        return False, Reason(
            "scope.eu_ai_act.ai_system", basis, because, ("technique", "ai_system")
        )
    because = "It does not infer how to produce its outputs with some autonomy: not an AI system."
    return False, Reason("scope.eu_ai_act.ai_system", basis, because, ("ai_system",))


def _pra_model(answers: dict[str, Any], definitions: dict[str, Any]) -> Verdict:
    basis = definitions["pra_model"]["basis"]
    if answers["quantitative_method"] or answers["technique"] != DETERMINISTIC:
        # SS1/23 lets outputs be qualitative, so a statistical or ML method counts either way.
        return True, Reason(
            "scope.pra_ss1_23.model",
            basis,
            "A quantitative method turning input data into output: a model under SS1/23's "
            "definition.",
            ("quantitative_method", "technique"),
        )
    if answers["used_in_business"]:
        return True, Reason(
            "scope.pra_ss1_23.dqm",
            basis,
            "A deterministic quantitative method used in decision-making: SS1/23 expects it "
            "identified and controlled proportionately.",
            ("technique", "used_in_business"),
        )
    return False, Reason(
        "scope.pra_ss1_23.model",
        basis,
        "Neither a quantitative method nor a deterministic method used in decisions: not in "
        "SS1/23's model definition.",
        ("quantitative_method", "technique", "used_in_business"),
    )


# ---- Frameworks ------------------------------------------------------------------------------


def _in_force(framework: dict[str, Any], as_of: datetime.date) -> bool:
    rescinded_on = framework.get("rescinded_on")
    return framework["in_force_from"] <= as_of and (rescinded_on is None or as_of < rescinded_on)


def _not_in_force(name: str, rules: dict[str, Any], as_of: datetime.date) -> str:
    framework = rules["frameworks"][name]
    if as_of < framework["in_force_from"]:
        return f"{framework['short']} is in force from {framework['in_force_from']}, after {as_of}."
    because = f"{framework['short']} was rescinded on {framework['rescinded_on']}"
    if "superseded_by" not in framework:
        return f"{because}."
    return f"{because}; {rules['frameworks'][framework['superseded_by']]['short']} replaces it."


def _eu_ai_act(
    answers: dict[str, Any], ai_system: Verdict, rules: dict[str, Any], as_of: datetime.date
) -> Verdict:
    basis = rules["definitions"]["eu_territorial"]["basis"]
    if not _in_force(rules["frameworks"]["eu_ai_act"], as_of):
        return False, Reason("scope.eu_ai_act", basis, _not_in_force("eu_ai_act", rules, as_of))
    is_ai_system, definition = ai_system
    if not is_ai_system:
        because = "Not an AI system, so the AI Act does not apply."
        return False, Reason("scope.eu_ai_act", definition.basis, because, definition.answers)
    if not answers["eu_nexus"]:
        because = "Not placed on the EU market, put into service or used in the EU."
        return False, Reason("scope.eu_ai_act", basis, because, ("eu_nexus",))
    because = "An AI system placed on the market, put into service or used in the EU."
    return True, Reason("scope.eu_ai_act", basis, because, ("ai_system", "eu_nexus"))


def _us_guidance(
    name: str, model: Verdict, answers: dict[str, Any], rules: dict[str, Any], as_of: datetime.date
) -> Verdict:
    is_model, definition = model
    rule, title = f"scope.{name}", rules["frameworks"][name]["short"]
    if not _in_force(rules["frameworks"][name], as_of):
        return False, Reason(rule, definition.basis, _not_in_force(name, rules, as_of))
    if not answers["us_banking_org"]:
        because = f"Not a US banking organisation, so {title} does not apply."
        basis = rules["definitions"]["us_banking_organisation"]["basis"]
        return False, Reason(rule, basis, because, ("us_banking_org",))
    if not is_model:
        because = f"Not a model within {title}."
        return False, Reason(rule, definition.basis, because, definition.answers)
    because = f"A model used by a US banking organisation: {title} applies."
    return True, Reason(rule, definition.basis, because, ("us_banking_org", *definition.answers))


def _pra(
    answers: dict[str, Any], model: Verdict, rules: dict[str, Any], as_of: datetime.date
) -> Verdict:
    basis = rules["definitions"]["pra_firm"]["basis"]
    if not _in_force(rules["frameworks"]["pra_ss1_23"], as_of):
        return False, Reason("scope.pra_ss1_23", basis, _not_in_force("pra_ss1_23", rules, as_of))
    if answers["pra_firm"] == PRA_NO:
        because = "The organisation is not a firm SS1/23 addresses and has not adopted it."
        return False, Reason("scope.pra_ss1_23", basis, because, ("pra_firm",))
    is_model, definition = model
    if not is_model:
        because = "Neither a model nor a deterministic quantitative method under SS1/23."
        return False, Reason("scope.pra_ss1_23", definition.basis, because, definition.answers)
    because = (
        "A model at a firm SS1/23 addresses: SS1/23 applies."
        if answers["pra_firm"] == PRA_INTERNAL_MODELS
        else "A model at a firm that applies SS1/23 by its own policy: SS1/23 applies as adopted."
    )
    return True, Reason("scope.pra_ss1_23", basis, because, ("pra_firm", *definition.answers))
