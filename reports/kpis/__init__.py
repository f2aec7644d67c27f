"""The executive report's figures, computed from plain rows: no Django here.

`reports.executive.selectors.gather` reads the rows once for a run of months (the month reported
and the months before it, for the month-over-month change and the trend charts); `monthly_figures`
computes every figure for each of those months. A figure about a state (open findings, models in
production) is taken as of the month's end: just before the first instant of the next month in the
configured time zone, or at the moment of asking for a month still running. A figure about events
(decisions, deployments, alerts, evaluations) counts those from the month's first instant up to
that end. Rows keep their own timestamps, so a past month is rebuilt from the same rows whenever it
is asked for. Durations are in days, fractions included.

`rows` holds the inputs, `measures` the month's state and the definition of every figure (each
function's docstring, which the report prints), `figures` what the report shows.
"""

from reports.kpis.figures import (
    COST,
    COUNT,
    DAYS,
    KPIS,
    NOT_CLASSIFIED,
    NOT_TIERED,
    SHARE,
    SPLITS,
    TOP_RISKS,
    Breakdown,
    Figure,
    MonthlyFigures,
    TopRisk,
    monthly_figures,
    shown,
    shown_change,
)
from reports.kpis.maturity import LEVELS, Assessment, Practice, UnitMaturity
from reports.kpis.narrative import Narrative, Status, narrative
from reports.kpis.rows import (
    AlertRow,
    Classification,
    ConditionRow,
    CostSample,
    Decision,
    Deployment,
    FieldChange,
    FindingRow,
    FirstProduction,
    ModelRow,
    MonthData,
    Period,
    Policy,
    Push,
    Review,
    SafetyRun,
    Validation,
    VersionRow,
    Vocabulary,
    Waiver,
    add_months,
    live_at,
    months_ending,
)

__all__ = [
    "COST",
    "COUNT",
    "DAYS",
    "KPIS",
    "LEVELS",
    "NOT_CLASSIFIED",
    "NOT_TIERED",
    "SHARE",
    "SPLITS",
    "TOP_RISKS",
    "AlertRow",
    "Assessment",
    "Breakdown",
    "Classification",
    "ConditionRow",
    "CostSample",
    "Decision",
    "Deployment",
    "FieldChange",
    "Figure",
    "FindingRow",
    "FirstProduction",
    "ModelRow",
    "MonthData",
    "MonthlyFigures",
    "Narrative",
    "Period",
    "Policy",
    "Practice",
    "Push",
    "Review",
    "SafetyRun",
    "Status",
    "TopRisk",
    "UnitMaturity",
    "Validation",
    "VersionRow",
    "Vocabulary",
    "Waiver",
    "add_months",
    "live_at",
    "monthly_figures",
    "months_ending",
    "narrative",
    "shown",
    "shown_change",
]
