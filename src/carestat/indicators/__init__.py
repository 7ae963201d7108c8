"""The indicator suite: declared once (``registry``), computed for every LA, region and England.

>>> from carestat.indicators import compute, Inputs      # doctest: +SKIP
"""

from carestat.indicators.compute import (
           OUTPUT_COLUMNS,
           compute,
           compute_indicator,
           compute_warehouse,
    current_values,
)
from carestat.indicators.inputs import Inputs
from carestat.indicators.registry import REGISTRY, Indicator, all_indicators, indicator

__all__ = ["OUTPUT_COLUMNS", "REGISTRY", "Indicator", "Inputs", "all_indicators", "compute", "compute_indicator", "compute_warehouse", "current_values",
           "indicator"]
