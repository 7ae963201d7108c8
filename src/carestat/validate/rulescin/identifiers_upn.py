"""ChildIdentifiers: the form of the child's UPN (check letter, LA number, digits, last character).

A UPN is a check letter, the 3-digit number of the LA that issued it, the school's 4-digit
establishment number, 2 digits for the year and a 3-digit serial; a temporary UPN ends in a letter
instead of the serial's last digit (DfE, "Unique pupil numbers (UPNs)"). UPN is free text in the
spec (not upper-cased on reading): the rules read it upper-cased, as the schema allows either case.
Each rule looks at its own characters only, so one mistake is reported once, by its own code.
"""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where

# The 23 check letters (no I, O or S); a letter ending a temporary UPN has its place here as value.
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_VALUE = {**{d: int(d) for d in "0123456789"}, **{c: i for i, c in enumerate(CHECK_LETTERS)}}
_LAST_CHARACTER = r"^[0-9A-HJ-NP-RT-Z]$"


def upn(name: str = "UPN") -> pl.Expr:
    """The UPN (or FormerUPN) upper-cased."""
    return pl.col(name).str.to_uppercase()


def _la_numbers(*extra: int) -> list[str]:
    """The LA numbers (and pseudo-LA numbers) a UPN's characters 2-4 may hold, as the CIN census
    guide lists them for rule 1530."""
    spans = [(1, 5), (201, 213), (301, 320), (330, 336), (340, 344), (350, 359), (370, 373), (380, 384),
             (390, 394), (420, 420), (660, 681), (701, 708), (800, 803), (805, 808), (810, 813), (815, 816),
             (820, 823), (825, 826), (830, 831), (835, 841), (845, 846), (850, 852), (855, 857), (860, 861),
             (865, 896), (908, 909), (916, 916), (919, 919), (921, 921), (925, 926), (928, 929), (931, 931),
             (933, 933), (935, 938), (940, 941)]
    numbers = sorted({n for lo, hi in spans for n in range(lo, hi + 1)} | set(extra))
    return [f"{n:03d}" for n in numbers]


# Cumberland (942) and Westmorland and Furness (943) replaced Cumbria (909) on 1 April 2023; the
# guide lists them from 2023/24.
LA_NUMBERS_TO_2023 = _la_numbers()
LA_NUMBERS_FROM_2024 = _la_numbers(942, 943)


def check_letter(value: pl.Expr) -> pl.Expr:
    """The check letter of a UPN (upper-cased): characters 2 to 13 weighted 2 to 13, digits at
    their value and a final letter at its place among the check letters, summed modulo 23. Null
    when a character is neither (the other rules report it)."""
    total = pl.sum_horizontal([
        value.str.slice(i, 1).replace_strict(_VALUE, default=None, return_dtype=pl.Int32) * (i + 1)
        for i in range(1, 13)
    ])
    return (total % len(CHECK_LETTERS)).replace_strict(dict(enumerate(CHECK_LETTERS)), default=None,
                                                       return_dtype=pl.Utf8)


@cin_rule("1510", tables=("ChildIdentifiers",), fields=("UPN",), examples=[
    Example({"ChildIdentifiers": [
        ok(UPN="B801200005001"), ok(UPN="b801200005001"), ok(UPN="H801200001001"),
        ok(UPN="M80120000500A"),  # a temporary UPN: its final A counts 0
        fail(UPN="A801200005001"), fail(UPN="C801200005001"), fail(UPN="180120000500A"),
        ok(UPN=None), ok(UPN="B8012000X5001"), ok(UPN="B80120000500")]},
        note="a UPN whose other characters are wrong is 1540's or 1550's concern, not a check letter"),
])
def upn_check_letter(r: CinReturn) -> Where:
    value = upn()
    computable = value.str.contains(r"^.\d{11}[0-9A-HJ-NP-RT-Z]$")
    wrong = value.str.slice(0, 1) != check_letter(value)
    return where(r.children, (computable & wrong).fill_null(False))


_LA_EXAMPLES = [ok(UPN="B801200005001"), ok(UPN="A001200005001"), ok(UPN="X941200005001"), ok(UPN=None),
                fail(UPN="A999200005001"), fail(UPN="A000200005001"), fail(UPN="A8")]


@cin_rule("1530", tables=("ChildIdentifiers",), fields=("UPN",), years=(2023,), examples=[
    Example({"ChildIdentifiers": [*_LA_EXAMPLES, fail(UPN="A942200005001")]}, year=2023),
])
def upn_la_number_to_2023(r: CinReturn) -> Where:
    return where(r.children, upn().is_not_null() & ~upn().str.slice(1, 3).is_in(LA_NUMBERS_TO_2023))


@cin_rule("1530", tables=("ChildIdentifiers",), fields=("UPN",), years=range(2024, 2028), examples=[
    Example({"ChildIdentifiers": [*_LA_EXAMPLES, ok(UPN="A942200005001"), ok(UPN="A943200005001"),
                                  fail(UPN="A944200005001")]}, year=2024),
    Example({"ChildIdentifiers": [ok(UPN="A942200005001"), fail(UPN="A939200005001")]}, year=2027),
])
def upn_la_number(r: CinReturn) -> Where:
    # From 2023/24 the guide's list has Cumberland (942) and Westmorland and Furness (943).
    return where(r.children, upn().is_not_null() & ~upn().str.slice(1, 3).is_in(LA_NUMBERS_FROM_2024))


@cin_rule("1540", tables=("ChildIdentifiers",), fields=("UPN",), examples=[
    Example({"ChildIdentifiers": [
        ok(UPN="B801200005001"), ok(UPN="A80120000500A"), ok(UPN=None), ok(UPN="BXXX200005001"),
        fail(UPN="B8012X0005001"), fail(UPN="B80120000 001"), fail(UPN="B8012000050"), fail(UPN="B801")]},
        note="characters 2-4 and 13 are other rules' concern; a UPN too short for 5-12 fails"),
])
def upn_digits_numeric(r: CinReturn) -> Where:
    return where(r.children, upn().is_not_null() & ~upn().str.slice(4, 8).str.contains(r"^\d{8}$"))


@cin_rule("1550", tables=("ChildIdentifiers",), fields=("UPN",), examples=[
    Example({"ChildIdentifiers": [
        ok(UPN="B801200005001"), ok(UPN="A80120000500A"), ok(UPN="A80120000500z"), ok(UPN=None),
        fail(UPN="A80120000500I"), fail(UPN="A80120000500O"), fail(UPN="A80120000500S"),
        fail(UPN="A80120000500-"), fail(UPN="A8012000050")]},
        note="a UPN shorter than 13 characters has no recognised character 13"),
])
def upn_last_character(r: CinReturn) -> Where:
    return where(r.children, upn().is_not_null() & ~upn().str.slice(12, 1).str.contains(_LAST_CHARACTER))
