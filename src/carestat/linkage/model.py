"""The linkage model, declared once: how identity records are standardised, which pairs are
compared (blocking rules), how each identifier is compared, and how the model is trained.

Everything Splink needs comes from here; ``linker.py`` only runs it on a backend.
"""

from __future__ import annotations

import polars as pl
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from carestat.linkage.names import canonical_forenames

# The identifier columns every data set's records are standardised to (null where a data set lacks one).
COLUMNS = ("unique_id", "source_dataset", "forename", "forename_std", "surname", "dob", "dob_swapped", "sex",
           "postcode", "upn")

# Candidate pairs: each rule catches matches the others miss (a typo in a name, a date of birth
# with day and month transposed or one out, a changed address). UPN only where both hold one.
BLOCKING_RULES = (
    block_on("upn"),
    block_on("dob", "substr(surname, 1, 2)"),
    block_on("dob", "substr(forename_std, 1, 2)"),
    block_on("forename_std", "surname", "year(dob)"),
    block_on("postcode", "forename_std"),
)


def _forename() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            cll.ExactMatchLevel("forename", term_frequency_adjustments=True),
            cll.ExactMatchLevel("forename_std").configure(label_for_charts="Same name, another form"),
            cll.JaroWinklerLevel("forename", 0.92),
            cll.JaroWinklerLevel("forename", 0.8),
            cll.ElseLevel(),
        ])


def _dob() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel("dob_swapped_l = dob_r", label_for_charts="Day and month transposed"),
            cll.AbsoluteDateDifferenceLevel("dob", input_is_string=False, threshold=1, metric="day"),
            cll.AbsoluteDateDifferenceLevel("dob", input_is_string=False, threshold=1, metric="year"),
            cll.ElseLevel(),
        ])


COMPARISONS = (
    _forename(),
    cl.NameComparison("surname", jaro_winkler_thresholds=[0.92, 0.8]),
    _dob(),
    cl.PostcodeComparison("postcode"),
    cl.ExactMatch("sex"),
    cl.ExactMatch("upn"),
)

# Training: u from random pairs; the chance two records match from pairs agreeing on UPN or on
# name and date of birth; m by expectation maximisation in two sessions whose blocking leaves
# every comparison estimated in at least one.
DETERMINISTIC_RULES = ("l.upn = r.upn", "l.forename = r.forename and l.surname = r.surname and l.dob = r.dob")
DETERMINISTIC_RECALL = 0.8
U_MAX_PAIRS = 2e6
EM_SESSIONS = (block_on("dob"), block_on("forename_std", "surname"))
EM_MAX_PAIRS = 1e6


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        comparisons=list(COMPARISONS),
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
    )


def standardise(frame: pl.DataFrame, dataset: str, record_id: pl.Expr) -> pl.DataFrame:
    """A data set's identity records in the model's columns: names upper-cased with only letters,
    forenames also in their formal form (Bill -> WILLIAM), postcodes upper-cased with one space."""
    def letters(col: str) -> pl.Expr:
        return pl.col(col).str.to_uppercase().str.replace_all(r"[^A-Z]", "").replace("", None)

    nick = canonical_forenames()
    dob = pl.col("dob").str.to_date("%Y-%m-%d", strict=False)
    postcode = (pl.col("postcode").str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
                .str.replace(r"^(.+)(\d[A-Z]{2})$", "$1 $2"))
    swapped = pl.when(dob.dt.day() <= 12).then(pl.date(dob.dt.year(), dob.dt.day(), dob.dt.month()))
    out = frame.with_columns(upn=pl.col("upn") if "upn" in frame.columns else pl.lit(None, dtype=pl.Utf8))
    return out.select(
        unique_id=pl.concat_str(pl.lit(f"{dataset}:"), record_id), source_dataset=pl.lit(dataset),
        forename=letters("forename"), forename_std=letters("forename").replace(nick),
        surname=letters("surname"), dob=dob, dob_swapped=swapped,
        sex=pl.col("sex").str.to_uppercase(), postcode=postcode.replace("", None),
        upn=pl.col("upn").str.strip_chars().str.to_uppercase())
