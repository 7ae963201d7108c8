"""Where children are placed: provider pools, Ofsted URNs and postcode sectors.

Real Ofsted-registered providers (children's homes, secure homes, residential special schools,
family centres, fostering and adoption agencies) come from the vendored list of 31 March 2023;
each LA's own fostering and adoption service uses the LA's Ofsted URN; supported accommodation
providers are synthetic (URNs 9LLLNNN). Every provider sits in one postcode sector chosen
deterministically inside its district or LA, so distances are stable across years.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import polars as pl

from carestat import refdata

_POOL_TYPES = {
    "Children's home": "homes",
    "Secure children's home": "secure",
    "Residential Special School": "schools",
    "Residential Family Centre": "family_centres",
    "Independent Fostering Agency": "ifa",
    "Voluntary Adoption Agency": "vaa",
}
_PLACE_CODES = {"homes": "K2", "secure": "K1", "schools": "S1", "family_centres": "R3",
                "ifa": "U4,U5,U6", "vaa": "A3,A4,A5,A6", "la_service": "U1,U2,U3,U4,U5,U6,A3,A4,A5,A6",
                "supported": "H5,K3"}
_SECTOR_PROVIDER = {"Private": "PR4", "Voluntary": "PR5", "Academy": "PR3", "Health Authority": "PR3",
                    "Local Authority": "PR1"}


def _stable_index(key: str, n: int) -> int:
    return zlib.crc32(key.encode()) % n if n else 0


@dataclass(frozen=True)
class Geography:
    sectors: dict[str, tuple[np.ndarray, np.ndarray]]  # old_la_code -> (sector names, cumulative weights)
    districts: dict[str, np.ndarray]  # district -> its sectors
    neighbours: dict[str, list[str]]  # old_la_code -> nearest LAs (by centroid), nearest first

    def sample(self, la: str, n: int, rng: np.random.Generator) -> np.ndarray:
        names, cum = self.sectors[la]
        return names[np.searchsorted(cum, rng.random(n) * cum[-1])]

    def fixed_sector(self, key: str, la: str, district: str | None = None) -> str:
        """A provider's sector: inside its district and its LA where both are known."""
        in_la = self.sectors[la][0]
        choices = in_la
        if district and district in self.districts:
            both = np.intersect1d(self.districts[district], in_la)
            choices = both if len(both) else in_la
        return str(choices[_stable_index(key, len(choices))])


@cache
def geography() -> Geography:
    sectors = refdata.postcode_sectors().filter(
        pl.col("country") == "England", pl.col("old_la_code").is_not_null(), pl.col("latitude").is_not_null(),
        pl.col("n_postcodes") > 0,
    )
    by_la = {}
    for (la,), group in sectors.sort("sector").group_by(["old_la_code"], maintain_order=True):
        weights = group["n_postcodes"].to_numpy().astype(float)
        by_la[la] = (group["sector"].to_numpy(), np.cumsum(weights))
    districts = {d: g["sector"].to_numpy() for (d,), g in sectors.sort("sector").group_by(["district"], maintain_order=True)}
    cent = refdata.la_centroids().filter(pl.col("current")).select(
        pl.col("old_la_code").cast(pl.Utf8), "postcode_centroid_easting_bng", "postcode_centroid_northing_bng")
    codes = cent["old_la_code"].to_list()
    xy = cent.select(pl.exclude("old_la_code")).to_numpy()
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    neighbours = {codes[i]: [codes[j] for j in np.argsort(dist[i])[1:9]] for i in range(len(codes))}
    return Geography(by_la, districts, neighbours)


@cache
def providers() -> pl.DataFrame:
    """Every provider the generator may place a child with: urn, pool, old_la_code, sector,
    provider_code, place_codes, registration date, judgement."""
    geo = geography()
    real = refdata.children_homes().filter(pl.col("provision_type").is_in(list(_POOL_TYPES)),
                                           pl.col("old_la_code").is_in(list(geo.sectors)))
    rows = []
    for r in real.iter_rows(named=True):
        pool = _POOL_TYPES[r["provision_type"]]
        code = _SECTOR_PROVIDER.get(r["sector"], "PR4")
        if code == "PR3" and pool in ("homes", "secure"):
            code = "PR4"  # other public bodies do not provide children's homes (rule 529)
        rows.append({
            "urn": r["urn"], "pool": pool, "old_la_code": r["old_la_code"],
            "sector": geo.fixed_sector(r["urn"], r["old_la_code"], r["postcode_district"]),
            "provider_code": code,
            "place_codes": _PLACE_CODES[pool], "reg_start": r["registration_date"],
            "judgement": r["judgement_overall_experiences_and_progress"],
        })
    for la in refdata.current_las():
        if la.old_la_code not in geo.sectors:
            continue
        urn = la.ofsted_urn or f"8{la.old_la_code}000"
        rows.append({"urn": urn, "pool": "la_service", "old_la_code": la.old_la_code,
                     "sector": geo.fixed_sector(urn, la.old_la_code), "provider_code": "PR1",
                     "place_codes": _PLACE_CODES["la_service"], "reg_start": None, "judgement": None})
        for i in range(6):
            urn = f"9{la.old_la_code}{i:03d}"
            rows.append({"urn": urn, "pool": "supported", "old_la_code": la.old_la_code,
                         "sector": geo.fixed_sector(urn, la.old_la_code), "provider_code": "PR4",
                         "place_codes": _PLACE_CODES["supported"], "reg_start": None, "judgement": None})
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.unique("urn", keep="first", maintain_order=True)


def provider_list_csv() -> pl.DataFrame:
    """The provider list in the format ``carestat validate --providers`` reads."""
    frame = providers()
    return frame.select(
        URN="urn", PLACE_CODES="place_codes",
        PROVIDER_CODES=pl.when(pl.col("provider_code") == "PR1").then(pl.lit("PR1,PR2"))
        .otherwise(pl.col("provider_code")),
        REG_START=pl.col("reg_start").cast(pl.Utf8), REG_END=pl.lit(None, dtype=pl.Utf8),
        POSTCODE="sector", LA_CODES="old_la_code", JUDGEMENT="judgement",
    ).sort("URN")


@dataclass(frozen=True)
class Pool:
    """One kind of provider as numpy arrays, with the rows of each LA (for local choices)."""

    urn: np.ndarray
    sector: np.ndarray
    owner: np.ndarray
    code: np.ndarray
    by_la: dict[str, np.ndarray]
    near: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def _near(self, las: tuple[str, ...]) -> np.ndarray:
        """The rows of these LAs (each list of LAs put together once)."""
        if las not in self.near:
            self.near[las] = np.concatenate([self.by_la.get(la, np.array([], dtype=np.int64)) for la in las])
        return self.near[las]

    def pick(self, n: int, near: list[str], local_share: float, unit: str,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``n`` providers: a share from ``near`` LAs, the rest from anywhere; PR1 becomes PR2
        when the provider belongs to another LA."""
        local = self._near(tuple(near))
        anywhere = rng.integers(0, len(self.urn), n)
        if len(local):
            from_local = local[rng.integers(0, len(local), n)]
            rows = np.where(rng.random(n) < local_share, from_local, anywhere)
        else:
            rows = anywhere
        code = np.where((self.code[rows] == "PR1") & (self.owner[rows] != unit), "PR2", self.code[rows])
        return self.urn[rows], self.sector[rows], code


@cache
def pools() -> dict[str, Pool]:
    frame = providers()
    out = {}
    for (pool,), group in frame.group_by(["pool"], maintain_order=True):
        owner = group["old_la_code"].to_numpy().astype(str)
        by_la = {la: np.nonzero(owner == la)[0] for la in np.unique(owner)}
        out[pool] = Pool(group["urn"].to_numpy().astype(str), group["sector"].to_numpy().astype(str), owner,
                         group["provider_code"].to_numpy().astype(str), by_la)
    return out


@cache
def next_provider() -> dict[str, tuple[str, str, str, str]]:
    """urn -> (next urn of the same kind, its sector, its LA, its provider code): the LA's next
    provider of that kind, or the next nationally where the LA has only one."""
    out = {}
    for p in pools().values():
        order = np.lexsort((p.urn, p.owner))
        urns = p.urn[order]
        owners = p.owner[order]
        for i, urn in enumerate(urns):
            same = np.nonzero(owners == owners[i])[0]
            j = same[(np.searchsorted(same, i) + 1) % len(same)] if len(same) > 1 else (i + 1) % len(urns)
            k = order[j]
            out[urn] = (p.urn[k], p.sector[k], p.owner[k], p.code[k])
    return out
