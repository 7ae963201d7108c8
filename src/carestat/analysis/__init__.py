"""Turning indicator values into answers: comparators, scorecards, LA profiles, charts.

>>> from carestat.analysis import compare, values          # doctest: +SKIP
>>> table = compare(values.published(), ["cla_3plus_placements_pct"], year=2025)  # doctest: +SKIP

Everything takes a *values* frame (``values.VALUE_COLUMNS``): the published figures
(``values.published()``), carestat's own (``values.computed``), or both (``values.combined``,
``values.from_warehouse``).
"""

from carestat.analysis import values
from carestat.analysis.charts import line_chart, position_chart, trend_chart, where_chart
from carestat.analysis.comparators import COMPARISON_COLUMNS, benchmark, compare, neighbours
from carestat.analysis.intervals import wilson_interval
from carestat.analysis.profile import Profile, la_profile
from carestat.analysis.scorecard_measures import SCORECARDS, ScorecardMeasure, ScorecardSpec
from carestat.analysis.scorecards import Scorecard, la_scorecards, scorecards_for

__all__ = ["COMPARISON_COLUMNS", "SCORECARDS", "Profile", "Scorecard", "ScorecardMeasure", "ScorecardSpec",
           "benchmark", "compare", "la_profile", "la_scorecards", "line_chart", "neighbours", "position_chart",
           "scorecards_for", "trend_chart", "values", "where_chart", "wilson_interval"]
