"""What an LA knows about its children, read from its generated SSDA903 and CIN returns.

The returns carry no names, but every LA holds its children's names and addresses in its case
management system. The partner generator reads the returns once to find each child (looked after or
in need), their date of birth, sex, UPN, home postcode sector and the dated events the returns show
(starting care, going missing, child protection plans, referrals), and whether they are a care
leaver; it then gives each child a synthetic name and address as the LA's case system would hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carestat.errors import InputError
from carestat.ingest import read_903, read_cin
from carestat.warehouse.keys import UPN_REASONS

CHILD_COLUMNS = ("la_code", "child_id", "dob", "sex", "upn", "home_sector", "looked_after", "in_need",
                 "care_leaver")
EVENT_COLUMNS = ("la_code", "child_id", "event", "date")
# LA events as the analysis names them (see carestat.linkage.outcomes.OUTCOMES).
LA_EVENTS = ("care", "missing", "child_protection", "referral")


@dataclass(frozen=True)
class LaChildren:
    children: pl.DataFrame  # CHILD_COLUMNS, one row per (la_code, child_id)
    events: pl.DataFrame  # EVENT_COLUMNS
    years: tuple[int, ...]  # collection years read

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """1 April of the first collection year to 31 March of the last."""
        return dt.date(self.years[0] - 1, 4, 1), dt.date(self.years[-1], 3, 31)


def _folders(returns: Path) -> list[tuple[int, str, Path]]:
    found = sorted((int(p.parent.name), p.name, p) for p in returns.glob("[12][0-9][0-9][0-9]/*") if p.is_dir())
    if not found:
        raise InputError("holds no generated returns (expected YEAR/LA/ssda903 and YEAR/LA/cin folders from "
                         "`carestat generate`)", file=str(returns))
    return found


def _sex(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.Utf8)
    code = pl.col(column).cast(pl.Utf8).str.to_uppercase()
    return pl.when(code.is_in(["M", "1"])).then(pl.lit("M")).when(code.is_in(["F", "2"])).then(pl.lit("F"))


def _upn(column: str) -> pl.Expr:
    upn = pl.col(column).cast(pl.Utf8).str.strip_chars().str.to_uppercase()
    return pl.when(upn.is_in(sorted(UPN_REASONS)) | (upn == "")).then(None).otherwise(upn)


def _read_903(folder: Path, year: int, la: str) -> tuple[list[pl.DataFrame], list[pl.DataFrame]]:
    files = sorted((folder / "ssda903").glob("*.csv")) or sorted((folder / "ssda903").glob("*.xml"))
    if not files:
        return [], []
    r = read_903(files, year)
    lit = pl.lit(la)
    header = r.table("Header").select(la_code=lit, child_id="CHILD", dob="DOB", sex=_sex(r.table("Header"), "SEX"),
                                      upn=_upn("UPN"), year=pl.lit(year))
    episodes = r.table("Episodes")
    home = episodes.sort("DECOM").group_by("CHILD").agg(pl.col("HOME_SECTOR").drop_nulls().last())
    header = header.join(home.rename({"CHILD": "child_id", "HOME_SECTOR": "home_sector"}), on="child_id", how="left")
    periods = episodes.select(la_code=lit, child_id="CHILD", start="DECOM", end="DEC", RNE="RNE")
    leavers = r.table("OC3").select(la_code=lit, child_id="CHILD")
    events = [
        episodes.filter(pl.col("RNE") == "S").select(la_code=lit, child_id="CHILD", event=pl.lit("care"),
                                                     date="DECOM"),
        r.table("Missing").select(la_code=lit, child_id="CHILD", event=pl.lit("missing"), date="MIS_START"),
    ]
    return [header.with_columns(looked_after=pl.lit(True)), periods, leavers], events


def _read_cin(folder: Path, year: int, la: str) -> tuple[pl.DataFrame | None, list[pl.DataFrame]]:
    files = sorted((folder / "cin").glob("*.xml"))
    if not files:
        return None, []
    r = read_cin(files[0], year)
    ids = r.table("ChildIdentifiers")
    sex_col = "Sex" if "Sex" in ids.columns else "GenderCurrent"
    lit = pl.lit(la)
    children = ids.select(la_code=lit, child_id="LAchildID", dob="PersonBirthDate", sex=_sex(ids, sex_col),
                          upn=_upn("UPN"), year=pl.lit(year), home_sector=pl.lit(None, dtype=pl.Utf8),
                          looked_after=pl.lit(False))
    events = [
        r.table("CINdetails").select(la_code=lit, child_id="LAchildID", event=pl.lit("referral"),
                                     date="CINreferralDate"),
        r.table("ChildProtectionPlans").select(la_code=lit, child_id="LAchildID", event=pl.lit("child_protection"),
                                               date="CPPstartDate"),
    ]
    return children, events


def care_leavers(periods: pl.DataFrame, children: pl.DataFrame, until: dt.date) -> pl.DataFrame:
    """Children who were looked after for at least 13 weeks after their 14th birthday, including some
    time after their 16th (the DfE's definition of an eligible care leaver), from their episodes
    (an episode shown in several years' returns counts once; one still open ends at ``until``)."""
    episodes = (periods.group_by("la_code", "child_id", "start")
                .agg(pl.col("end").max()).with_columns(pl.col("end").fill_null(until)))
    ages = episodes.join(children.select("la_code", "child_id", "dob"), on=["la_code", "child_id"]).with_columns(
        at14=pl.col("dob").dt.offset_by("14y"), at16=pl.col("dob").dt.offset_by("16y"))
    days = (pl.col("end") - pl.max_horizontal("start", "at14")).dt.total_days().clip(0)
    return (ages.group_by("la_code", "child_id")
            .agg(after14=days.sum(), after16=(pl.col("end") > pl.col("at16")).any())
            .filter((pl.col("after14") >= 91) & pl.col("after16")).select("la_code", "child_id"))


def successor_map(rows: pl.DataFrame) -> pl.DataFrame:
    """(la_code, child_id) -> new_la for children seen both under a predecessor LA's return
    (Northamptonshire, Cumbria, Dorset...) and under its successor's: one child, the later LA."""
    from carestat.synth.targets import PREDECESSORS

    pairs = pl.DataFrame([(p, s) for s, (before, _) in PREDECESSORS.items() for p in before],
                         schema={"la_code": pl.Utf8, "new_la": pl.Utf8}, orient="row")
    ids = rows.select("la_code", "child_id").unique()
    return (ids.join(pairs, on="la_code")
            .join(ids.rename({"la_code": "new_la"}), on=["new_la", "child_id"], how="semi"))


def _relabel(frame: pl.DataFrame, mapping: pl.DataFrame) -> pl.DataFrame:
    return (frame.join(mapping, on=["la_code", "child_id"], how="left")
            .with_columns(la_code=pl.coalesce("new_la", "la_code")).drop("new_la"))


def read_la_children(returns: Path) -> LaChildren:
    """Every child in the generated returns under ``returns`` (all years, all LAs), once each."""
    returns = Path(returns)
    headers, periods, leavers, events = [], [], [], []
    years: set[int] = set()
    for year, la, folder in _folders(returns):
        years.add(year)
        parts, ev = _read_903(folder, year, la)
        if parts:
            headers.append(parts[0])
            periods.append(parts[1])
            leavers.append(parts[2])
        cin, cin_events = _read_cin(folder, year, la)
        if cin is not None:
            headers.append(cin)
        events.extend(ev + cin_events)
    rows = pl.concat(headers, how="diagonal_relaxed")
    mapping = successor_map(rows)
    rows = _relabel(rows, mapping)
    periods, leavers, events = ([_relabel(f, mapping) for f in frames] for frames in (periods, leavers, events))
    # One row per child: the latest year's details; looked after if any 903 return shows them.
    children = (rows.sort("year", "looked_after").group_by("la_code", "child_id", maintain_order=True)
                .agg(pl.col("dob", "sex", "upn").drop_nulls().last(), pl.col("home_sector").drop_nulls().last(),
                     looked_after=pl.col("looked_after").any(), in_need=(~pl.col("looked_after")).any())
                .sort("la_code", "child_id"))
    window_end = dt.date(max(years), 3, 31)
    leaver_ids = pl.concat([care_leavers(pl.concat(periods), children, window_end), *leavers]) if periods else \
        pl.DataFrame(schema={"la_code": pl.Utf8, "child_id": pl.Utf8})
    leaver_ids = leaver_ids.unique()
    children = children.join(leaver_ids.with_columns(care_leaver=pl.lit(True)), on=["la_code", "child_id"],
                             how="left").with_columns(pl.col("care_leaver").fill_null(False))
    event_frame = pl.concat(events).drop_nulls(["child_id", "date"]).unique().sort(EVENT_COLUMNS)
    return LaChildren(children.select(CHILD_COLUMNS), event_frame.select(EVENT_COLUMNS), tuple(sorted(years)))
