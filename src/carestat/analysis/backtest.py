"""Backtest of the early-warning signal against Ofsted's judgements of LA children's services.

Each graded inspection (SIF 2013-2018, ILACS 2018 on) is one case. The case is *adverse* when the
overall effectiveness was Requires improvement or Inadequate. The signal it is judged against is
the one for the latest collection year whose figures were all public before the inspection began:
a year's CLA and CIN figures come out in the autumn after 31 March and the workforce figures in
February, so collection year Y counts as known from 1 March Y+1 (``available_from``). ILACS gives
the inspection date; SIF gives only the publication date, so its inspection is taken to have begun
90 days before publication (ILACS reports came out a median 52 days after the inspection date, and
SIF inspections lasted four weeks; the longer gap uses less data, never more).

Caveat: the published history is the latest vintage of each figure; a few were revised after
first publication, so the backtest sees slightly cleaner data than an analyst would have had.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from carestat import refdata
from carestat.analysis.early_warning import EarlyWarning, early_warning
from carestat.analysis.intervals import wilson_interval

KNOWN_FROM = (3, 1)  # month, day in the year after the collection year
SIF_DAYS_BEFORE_PUBLICATION = 90
ADVERSE = ("Requires improvement to be good", "Inadequate")
FRAMEWORKS = ("SIF", "ILACS")


def available_from(year: int) -> dt.date:
    """The day by which every published figure for collection year ``year`` was public."""
    return dt.date(year + 1, *KNOWN_FROM)


def _available(year: pl.Expr) -> pl.Expr:
    return pl.date(year + 1, KNOWN_FROM[0], KNOWN_FROM[1])


def inspections(history: pl.DataFrame | None = None) -> pl.DataFrame:
    """Graded SIF and ILACS inspections: LA, framework, ``start`` (inspection date, or publication
    less 90 days for SIF: ``start_estimated``), judgement, ``adverse``, ``inadequate`` and the LA's
    previous graded judgement published before the start (``previous``, any framework since 2012)."""
    h = refdata.ofsted_judgement_history() if history is None else history
    graded = h.filter(pl.col("overall_effectiveness").is_in(["Outstanding", "Good", *ADVERSE]))
    graded = graded.with_columns(
        start=pl.coalesce("inspection_date",
                          pl.col("publication_date") - pl.duration(days=SIF_DAYS_BEFORE_PUBLICATION)),
        start_estimated=pl.col("inspection_date").is_null(),
    ).sort("old_la_code", "publication_date")
    before = pl.col("publication_date").shift(1).over("old_la_code") < pl.col("start")
    graded = graded.with_columns(
        previous=pl.when(before).then(pl.col("overall_effectiveness").shift(1).over("old_la_code")))
    return graded.filter(pl.col("inspection_framework").is_in(FRAMEWORKS)).select(
        "old_la_code", "la_name", framework="inspection_framework", inspection_type="inspection_type",
        start="start", start_estimated="start_estimated", publication_date="publication_date",
        judgement="overall_effectiveness", adverse=pl.col("overall_effectiveness").is_in(ADVERSE),
        inadequate=pl.col("overall_effectiveness") == "Inadequate", previous="previous",
        previous_adverse=pl.col("previous").is_in(ADVERSE).fill_null(False))


def with_runs(signals: pl.DataFrame) -> pl.DataFrame:
    """The signals with ``run_start``: for a signalled LA-year, the first year of the unbroken run of
    signalled years (one after another) that it ends."""
    s = signals.sort("old_la_code", "year")
    breaks = (~pl.col("signal") | (pl.col("year") - pl.col("year").shift(1).over("old_la_code") != 1)
              | ~pl.col("signal").shift(1).over("old_la_code")).fill_null(True)
    s = s.with_columns(_run=breaks.cum_sum())
    return s.with_columns(run_start=pl.when(pl.col("signal")).then(pl.col("year").min().over("_run"))).drop("_run")


def match(signals: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    """Each inspection with the signal for the latest collection year known before it began
    (``signal_year``; null when none was: ``covered`` false) and, when signalled, ``lead_days``
    from the day the current run of signals first became known to the start of the inspection."""
    s = (with_runs(signals).select("old_la_code", "year", "signal", "score", "mean_deviation", "domains",
                                   "flagged", "run_start", "measures_assessed")
         .with_columns(_known=_available(pl.col("year"))).sort("_known"))
    out = cases.sort("start").join_asof(s, left_on="start", right_on="_known", by="old_la_code",
                                        strategy="backward", check_sortedness=False)
    return out.rename({"year": "signal_year"}).with_columns(
        covered=pl.col("signal_year").is_not_null(),
        signal=pl.col("signal").fill_null(False),
        lead_days=pl.when(pl.col("signal")).then((pl.col("start") - _available(pl.col("run_start"))).dt.total_days()),
    ).drop("_known").sort("start", "old_la_code")


@dataclass(frozen=True)
class Metrics:
    n: int
    adverse: int
    flagged: int
    tp: int
    fp: int
    fn: int
    tn: int
    lead_median_days: float | None
    lead_q1_days: float | None
    lead_q3_days: float | None

    @property
    def precision(self) -> float | None:
        return self.tp / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.adverse if self.adverse else None

    @property
    def prevalence(self) -> float | None:
        return self.adverse / self.n if self.n else None

    @property
    def flag_rate(self) -> float | None:
        return self.flagged / self.n if self.n else None


def metrics(cases: pl.DataFrame, predicted: str = "signal", actual: str = "adverse", lead: bool = True) -> Metrics:
    """Confusion counts of ``predicted`` against ``actual`` (boolean columns) and, with ``lead``, the
    lead time (``lead_days``) of the true positives: median and quartiles (linear interpolation)."""
    p, a = cases[predicted].fill_null(False), cases[actual].fill_null(False)
    tp = int((p & a).sum())
    fp = int((p & ~a).sum())
    fn = int((~p & a).sum())
    days = cases.filter(p & a)["lead_days"].drop_nulls() if lead else pl.Series([], dtype=pl.Int64)

    def q(x: float) -> float | None:
        return float(days.quantile(x, interpolation="linear")) if days.len() else None

    return Metrics(cases.height, int(a.sum()), int(p.sum()), tp, fp, fn, cases.height - tp - fp - fn,
                   q(0.5), q(0.25), q(0.75))


def auc(cases: pl.DataFrame, score: str, actual: str = "adverse") -> float | None:
    """Area under the ROC curve of a continuous ``score`` for ``actual`` (Mann-Whitney, ties
    averaged): the chance that a random adverse case scores above a random other one. 0.5 is no
    better than chance. Cases without a score are left out."""
    d = cases.filter(pl.col(score).is_not_null() & pl.col(score).is_finite())
    pos = int(d[actual].sum())
    neg = d.height - pos
    if not pos or not neg:
        return None
    ranks = d.select(r=pl.col(score).rank("average"), a=pl.col(actual))
    total = float(ranks.filter(pl.col("a"))["r"].sum())
    return (total - pos * (pos + 1) / 2) / (pos * neg)


def auc_se(a: float, positives: int, negatives: int) -> float:
    """Hanley and McNeil's (1982) standard error of an AUC ``a`` from ``positives`` and ``negatives``."""
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    var = (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a)) / (positives * negatives)
    return math.sqrt(var)


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 1)


def _months(days: float | None) -> float | None:
    return None if days is None else round(days / 30.44, 1)


def _interval(num: int, den: int) -> str | None:
    """A Wilson 95% interval in percent, as "low-high" (how much the figure could move by chance)."""
    if not den:
        return None
    low, high = wilson_interval(num, den)
    return f"{100 * low:.1f}-{100 * high:.1f}"


def _row(label: str, m: Metrics, note: str = "") -> dict[str, object]:
    return {"comparison": label, "inspections": m.n, "adverse": m.adverse, "flagged": m.flagged, "tp": m.tp,
            "fp": m.fp, "fn": m.fn, "tn": m.tn, "precision_pct": _pct(m.precision),
            "precision_ci95": _interval(m.tp, m.flagged), "recall_pct": _pct(m.recall),
            "recall_ci95": _interval(m.tp, m.adverse),
            "prevalence_pct": _pct(m.prevalence), "flag_rate_pct": _pct(m.flag_rate),
            "lead_median_months": _months(m.lead_median_days), "lead_q1_months": _months(m.lead_q1_days),
            "lead_q3_months": _months(m.lead_q3_days), "auc": None, "auc_se": None, "note": note}


@dataclass(frozen=True)
class Backtest:
    cases: pl.DataFrame  # one row per inspection, with the signal known before it
    summary: pl.DataFrame  # one row per comparison
    warning: EarlyWarning


def summarise(cases: pl.DataFrame) -> pl.DataFrame:
    """The comparisons the report gives, from matched cases (see :func:`match`)."""
    covered = cases.filter(pl.col("covered"))
    main = metrics(covered)
    rows = [_row("Signal (2+ domains flagged)", main)]
    rows.append({**_row("Random flags at the same rate (expected)", main, "precision = prevalence, recall = flag rate"),
                 "tp": None, "fp": None, "fn": None, "tn": None, "precision_pct": _pct(main.prevalence),
                 "recall_pct": _pct(main.flag_rate), "precision_ci95": None, "recall_ci95": None,
                 "lead_median_months": None, "lead_q1_months": None,
                 "lead_q3_months": None})
    with_previous = covered.filter(pl.col("previous").is_not_null())
    same = "inspections with a previous graded judgement"
    either = with_previous.with_columns(either=pl.col("signal") | pl.col("previous_adverse"))
    rows += [_row("Previous judgement RI or inadequate (baseline)",
                  metrics(with_previous, "previous_adverse", lead=False), same),
             _row("Signal, same inspections", metrics(with_previous), same),
             _row("Signal or previous judgement", metrics(either, "either", lead=False), same),
             _row("Signal, LAs previously good or outstanding",
                  metrics(with_previous.filter(~pl.col("previous_adverse"))), "can it see a decline coming?"),
             _row("Signal, inadequate only", metrics(covered, actual="inadequate"), "adverse = inadequate")]
    for framework in FRAMEWORKS:
        rows.append(_row(f"Signal, {framework} inspections", metrics(covered.filter(pl.col("framework") == framework))))
    for t in (1, 3):
        flagged = covered.with_columns(at=(pl.col("score") >= t).fill_null(False))
        rows.append(_row(f"Score >= {t} domains (sensitivity)", metrics(flagged, "at", lead=False)))
    for label, col in (("Score (domains flagged), threshold-free", "score"),
                       ("Mean deviation from England, threshold-free", "mean_deviation")):
        for framework in (None, *FRAMEWORKS):
            subset = covered if framework is None else covered.filter(pl.col("framework") == framework)
            scored = subset.filter(pl.col(col).is_not_null())
            pos = int(scored["adverse"].sum())
            a = auc(scored, col)
            rows.append({"comparison": f"{label}{'' if framework is None else ', ' + framework}",
                         "inspections": scored.height, "adverse": pos, "auc": None if a is None else round(a, 3),
                         "auc_se": None if a is None else round(auc_se(a, pos, scored.height - pos), 3),
                         "note": "AUC: 0.5 = chance; se Hanley-McNeil"})
    return pl.DataFrame(rows, infer_schema_length=None)


def run_backtest(values: pl.DataFrame | None = None) -> Backtest:
    """Compute the early warning on ``values`` (default: the published figures) and test it against
    every graded SIF and ILACS inspection."""
    warning = early_warning(values)
    cases = match(warning.signals, inspections())
    return Backtest(cases, summarise(cases), warning)


def report_markdown(result: Backtest) -> str:
    """The backtest's figures as Markdown tables (pasted into docs/early-warning.md)."""
    cases = result.cases
    covered = cases.filter(pl.col("covered"))
    lines = [f"Inspections: {cases.height} graded SIF and ILACS inspections; {covered.height} had a signal year "
             f"known before they began ({cases.height - covered.height} before any figures were known).", ""]
    cols = ["comparison", "inspections", "adverse", "flagged", "tp", "fp", "fn", "tn", "precision_pct",
            "precision_ci95", "recall_pct", "recall_ci95", "prevalence_pct", "flag_rate_pct", "lead_median_months",
            "lead_q1_months", "lead_q3_months", "auc", "auc_se"]
    lines.append("| " + " | ".join(cols) + " |")
    lines.append("|" + "---|" * len(cols))
    for r in result.summary.iter_rows(named=True):
        lines.append("| " + " | ".join("" if r[c] is None else str(r[c]) for c in cols) + " |")
    missed = (covered.filter(pl.col("adverse") & ~pl.col("signal"))
              .group_by("framework", "judgement")
              .agg(missed=pl.len(), score_0=(pl.col("score") == 0).sum(), score_1=(pl.col("score") == 1).sum(),
                   three_or_fewer_measures=(pl.col("measures_assessed") <= 3).sum(),
                   previous_adverse=pl.col("previous_adverse").sum())
              .sort("framework", "judgement"))
    lines += ["", "Adverse judgements without a signal (what it misses):", "",
              "| framework | judgement | missed | no domain flagged | one domain flagged | 3 or fewer measures "
              "assessed | previous judgement also adverse |", "|---|---|---|---|---|---|---|"]
    for r in missed.iter_rows(named=True):
        lines.append(f"| {r['framework']} | {r['judgement']} | {r['missed']} | {r['score_0']} | {r['score_1']} "
                     f"| {r['three_or_fewer_measures']} | {r['previous_adverse']} |")
    hits = covered.filter(pl.col("adverse") & pl.col("signal")).sort("start")
    lines += ["", "Adverse judgements the signal came before:", "",
              "| LA | framework | inspection began | judgement | signalled since (collection year) | lead (months) "
              "| domains |", "|---|---|---|---|---|---|---|"]
    for r in hits.iter_rows(named=True):
        lines.append(f"| {r['la_name']} | {r['framework']} | {r['start']} | {r['judgement']} | {r['run_start']} "
                     f"| {_months(r['lead_days'])} | {r['domains']} |")
    return "\n".join(lines) + "\n"
