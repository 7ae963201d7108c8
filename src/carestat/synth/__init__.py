"""Synthetic national returns: every LA, every year, calibrated to published figures.

No real child-level data is used or produced: children, histories and identifiers are
simulated. See :func:`generate` and ``carestat generate --help``.
"""

from carestat.synth.options import GenerateOptions, parse_las, parse_years
from carestat.synth.run import GenerateResult, generate

__all__ = ["GenerateOptions", "GenerateResult", "generate", "parse_las", "parse_years"]
