"""The returns' specifications as data: tables, fields, types and code lists for each year.

>>> from carestat.spec import spec
>>> s = spec("903", 2025)
>>> "U4" in s.codes("Episodes", "PLACE")
True
"""

from carestat.spec.loader import SUPPORTED_YEARS, code_groups, group_labels, return_name, spec
from carestat.spec.model import Code, Field, ReturnSpec, Table

__all__ = ["SUPPORTED_YEARS", "Code", "Field", "ReturnSpec", "Table", "code_groups",
           "group_labels", "return_name", "spec"]
