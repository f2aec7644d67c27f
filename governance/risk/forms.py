"""Risk UI input and display: the generic questionnaire, review, evidence and waiver forms, and
how a result's labels, reasons and details read.

Forms parse and check shapes; the services in governance.services decide and write.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.http import QueryDict

from governance.forms import BootstrapForm
from governance.labels import label_for, value_label
from governance.risk import selectors as risk_selectors
from governance.risk.models import RiskAssessment
from governance.risk.rules.results import (
    NOT_KNOWN,
    UNKNOWN,
    Outcome,
    Question,
    Reason,
    is_blank,
)
from governance.risk.services import controls

YES, NO = "yes", "no"
# Each rendered question posts its key here, so the view knows what the page asked.
SHOWN = "shown"
# A choice question with more options than this is a drop-down rather than radio buttons.
RADIO_LIMIT = 8
# Whole numbers stay exact in JSON below this; above it (training FLOPs) they stay floats.
EXACT_INTEGERS = 2**53
TEXT_MAX = 2000


# ---- The questionnaire ------------------------------------------------------------------------


def question_field(question: Question) -> forms.Field:
    """A form field that parses one question's posted value (blank is allowed: drafts)."""
    common: dict[str, Any] = {"label": question.text, "required": False}
    if question.kind == "bool":
        return forms.TypedChoiceField(
            choices=[
                (YES, "Yes"),
                (NO, "No"),
                *([(UNKNOWN, NOT_KNOWN)] if question.unknown else []),
            ],
            coerce=lambda value: value == YES if value != UNKNOWN else UNKNOWN,
            empty_value=None,
            **common,
        )
    if question.kind == "choice":
        return forms.ChoiceField(choices=question.choices, **common)
    if question.kind == "multi":
        return forms.MultipleChoiceField(choices=question.choices, **common)
    if question.kind == "number":
        return NumberOrUnknownField(**common) if question.unknown else forms.FloatField(**common)
    return forms.CharField(max_length=TEXT_MAX, **common)


class NumberOrUnknownField(forms.FloatField):
    """A number, or "not known yet": the page posts the box ticked after the number, so it wins."""

    def to_python(self, value: Any) -> Any:
        return UNKNOWN if value == UNKNOWN else super().to_python(value)

    def validate(self, value: Any) -> None:
        if value != UNKNOWN:
            super().validate(value)

    def run_validators(self, value: Any) -> None:
        if value != UNKNOWN:
            super().run_validators(value)


def _answer(question: Question, value: Any) -> Any:
    """The stored form of a parsed value; None means "no answer"."""
    if is_blank(value) or value == UNKNOWN:
        return value or None
    if question.kind == "number" and float(value).is_integer() and abs(value) < EXACT_INTEGERS:
        return int(value)
    return value


class QuestionnaireForm(forms.Form):
    """The answers posted for the questions the page showed; nothing else is read."""

    def __init__(
        self, data: QueryDict, *, questions: Iterable[Question], stored: Mapping[str, Any]
    ) -> None:
        super().__init__(data)
        posted = set(data.getlist(SHOWN))
        self.asked = [q for q in questions if q.key in posted]
        self.stored = stored
        for question in self.asked:
            self.fields[question.key] = question_field(question)

    def answers(self) -> dict[str, Any]:
        """Valid answers posted; None for a question the user emptied. Invalid ones are left out."""
        found: dict[str, Any] = {}
        for question in self.asked:
            if question.key in self.errors:
                continue
            value = _answer(question, self.cleaned_data.get(question.key))
            if value is not None:
                found[question.key] = value
            elif not is_blank(self.stored.get(question.key)):
                found[question.key] = None
        return found

    def raw_values(self) -> dict[str, str]:
        """What the user typed into fields that failed to parse, to show it back."""
        return {key: str(self.data.get(key, "")) for key in self.errors if key in self.fields}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool
    id: str


@dataclass(frozen=True)
class QuestionRow:
    """One shown question, ready for the template: its widget values and its problems."""

    question: Question
    id: str
    widget: str  # radio, select, checkbox, number or text
    value: str = ""
    options: list[Option] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    profile_note: str = ""  # where the organisation profile gave (or differs from) the answer

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def described_by(self) -> str:
        ids = [self.help_id] if self.question.help else []
        return " ".join([*ids, *([self.error_id] if self.errors else [])])


def _options(question: Question, value: Any, dom_id: str) -> list[Option]:
    unknown = [(UNKNOWN, NOT_KNOWN, value == UNKNOWN)] if question.unknown else []
    if question.kind == "bool":
        pairs = [(YES, "Yes", value is True), (NO, "No", value is False), *unknown]
    elif question.kind == "number":
        pairs = unknown  # a box beside the number
    elif question.kind == "choice":
        pairs = [(v, label, value == v) for v, label in question.choices]
    elif question.kind == "multi":
        # A single answer stored before the question took several reads as one ticked.
        chosen = value if isinstance(value, list) else [value]
        pairs = [(v, label, v in chosen) for v, label in question.choices]
    else:
        return []
    return [
        Option(v, label, checked, f"{dom_id}-{index}")
        for index, (v, label, checked) in enumerate(pairs)
    ]


def _widget(question: Question) -> str:
    if question.kind == "choice":
        return "select" if len(question.choices) > RADIO_LIMIT else "radio"
    return {"bool": "radio", "multi": "checkbox", "number": "number"}.get(question.kind, "text")


def _text(value: Any) -> str:
    return (
        "" if is_blank(value) or isinstance(value, list | bool) or value == UNKNOWN else str(value)
    )


def _profile_note(question: Question, value: Any, defaults: Mapping[str, Any]) -> str:
    """Beside an answer the organisation profile gives: where it came from, or that it differs."""
    if question.key not in defaults:
        return ""
    default = defaults[question.key]
    if value == default:
        return "From the organisation profile"
    shown = [o.label for o in _options(question, default, "") if o.checked]
    return f"The organisation profile says: {shown[0] if shown else default}"


def question_rows(
    questions: Iterable[Question],
    answers: Mapping[str, Any],
    *,
    errors: Mapping[str, list[str]] | None = None,
    raw: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> list[QuestionRow]:
    """The questions to show, in order, with the answers (or the raw input that failed), and
    a note where the organisation profile gives the default answer."""
    errors, raw, defaults = errors or {}, raw or {}, defaults or {}
    rows = []
    for question in questions:
        dom_id = f"q-{question.key}"
        value = answers.get(question.key)
        rows.append(
            QuestionRow(
                question=question,
                id=dom_id,
                widget=_widget(question),
                value=raw.get(question.key, _text(value)),
                options=_options(question, value, dom_id),
                errors=list(errors.get(question.key, [])),
                profile_note=_profile_note(question, value, defaults),
            )
        )
    return rows


# ---- Review -----------------------------------------------------------------------------------


class ConfirmForm(BootstrapForm):
    review_reason = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: why you agree with the rules' result.",
    )


class OverrideForm(BootstrapForm):
    override_result = forms.ChoiceField(label="Result instead")
    review_reason = forms.CharField(
        label="Justification",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the rules' result is wrong for this subject. A second person approves it.",
    )

    def __init__(self, *args: Any, results: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["override_result"]).choices = [("", "—"), *results]


class ApproveOverrideForm(BootstrapForm):
    """The second person's approval: nothing to fill in, only who presses the button."""


class RefuseOverrideForm(BootstrapForm):
    """The second person refuses the proposed override, saying why; the rules' result stands."""

    review_reason = forms.CharField(
        label="Why it is refused", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


# ---- Obligations ------------------------------------------------------------------------------


class EvidenceForm(BootstrapForm):
    """One piece of evidence: a file, a link, or a record already in Attest (exactly one)."""

    title = forms.CharField(max_length=300, help_text="What this evidence is.")
    file = forms.FileField(required=False)
    url = forms.URLField(label="or a link", required=False, max_length=1000, assume_scheme="https")
    record_type = forms.ChoiceField(
        label="or a record",
        required=False,
        choices=[("", "—"), *((name, name.replace("_", " ")) for name in controls.RECORDS)],
    )
    record_id = forms.CharField(label="Record id", required=False, max_length=80)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "file": data["file"] or None,
            "url": data["url"],
            "record_type": data["record_type"],
            "record_id": data["record_id"],
        }


class WaiverForm(BootstrapForm):
    """Ask to waive an obligation until a date; a second person with decision rights decides."""

    waiver_reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))
    waiver_expires_on = forms.DateField(
        label="Expires on", widget=forms.DateInput(attrs={"type": "date"})
    )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"reason": data["waiver_reason"], "expires_on": data["waiver_expires_on"]}


class LinkRecordForm(BootstrapForm):
    """Link the Attest record proposed for an obligation (its kind and id, posted by a button)."""

    kind = forms.CharField(max_length=40)
    record_id = forms.IntegerField(min_value=1)


class AttachToManyForm(BootstrapForm):
    """One file attached to several obligations of the model at once."""

    title = forms.CharField(max_length=300, help_text="What this evidence is.")
    file = forms.FileField()
    obligations = forms.TypedMultipleChoiceField(
        label="Obligations it evidences",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one obligation."},
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        boxes = cast(forms.TypedMultipleChoiceField, self.fields["obligations"])
        boxes.choices = choices

    def form_field_for(self, error_field: str) -> str | None:
        """The service names the obligations it refuses `controls`."""
        return "obligations" if error_field == "controls" else super().form_field_for(error_field)

    def service_arguments(self) -> dict[str, Any]:
        return {"title": self.cleaned_data["title"], "file": self.cleaned_data["file"]}


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label="In force on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )


class ClassifyAsOfForm(forms.Form):
    """The day whose law the current answers are classified under (a read: nothing is saved)."""

    date = forms.DateField(
        label="Classify as of",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text="The current answers, under the rules in force that day.",
    )


# ---- What a result page shows -----------------------------------------------------------------

DETAIL_LABELS = {
    "score": "Score",
    "contributions": "Score breakdown by factor",
    "cadence_months": "Revalidation every (months)",
    "review_cadence_months": "Periodic review every (months)",
    "approvers": "Approvers",
    "frameworks": "Frameworks it serves",
    "method": "Tiering method",
    "method_version": "Method version",
    "applies_from": "Applies from",
    "in_force": "In force",
    "role": "Role",
    "provider_under": "Considered its provider under",
    "provisional": "Provisional (answers not known yet)",
    "open_questions": "Open questions",
    "transition": "Transition (Art. 111): compliance due",
    "is_model_sr_26_2": "A model under SR 26-2",
    "is_model_sr_11_7": "A model under SR 11-7",
    "is_ai_system": "An AI system (Art. 3(1))",
    "rulebook": "Rulebook version",
    "blocked": "Blocked from approval",
}


@dataclass(frozen=True)
class ReasonRow:
    reason: Reason
    answers: list[tuple[str, str]]


@dataclass(frozen=True)
class DetailRow:
    label: str
    text: str = ""
    pairs: list[tuple[str, str]] = field(default_factory=list)


def detail_rows(details: Mapping[str, Any]) -> list[DetailRow]:
    rows = []
    for key, value in details.items():
        label = DETAIL_LABELS.get(key) or label_for(key)
        if isinstance(value, dict):
            pairs = [(label_for(k), value_label(v)) for k, v in value.items()]
            rows.append(DetailRow(label, pairs=pairs))
        else:
            rows.append(DetailRow(label, text=value_label(value)))
    return rows


def answer_text(question: Question | None, value: object) -> str:
    if question is None or value in (None, ""):
        return value_label(value)
    labels = dict(question.choices)
    if question.kind == "multi" and isinstance(value, list | str):
        chosen = [value] if isinstance(value, str) else value
        return ", ".join(labels.get(v, str(v)) for v in chosen) or "None of these"
    if question.kind == "choice":
        return labels.get(value, value) if isinstance(value, str) else str(value)
    return value_label(value)


def open_questions(assessment: RiskAssessment) -> list[str]:
    """The questions a provisional result left open ("not known yet"), as the questionnaire
    asks them; empty for a settled result."""
    keys = assessment.outcome.get("details", {}).get("open_questions", [])
    if not keys:
        return []
    asked = {q.key: q.text for q in risk_selectors.questions_of(assessment)}
    return [asked.get(key) or label_for(key) for key in keys]


def reason_rows(outcome: Outcome, assessment: RiskAssessment) -> list[ReasonRow]:
    questions = {q.key: q for q in risk_selectors.questions_of(assessment)}
    return [
        ReasonRow(
            reason,
            [
                (
                    questions[key].text if key in questions else key,
                    answer_text(questions.get(key), assessment.answers.get(key)),
                )
                for key in reason.answers
            ],
        )
        for reason in outcome.reasons
    ]
