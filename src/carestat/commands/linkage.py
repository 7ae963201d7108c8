"""Commands of the joined-up data: partner extracts, linkage and the overlapping outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carestat.commands.common import DbOption, friendly

app = typer.Typer()


@app.command()
@friendly
def partners(
    returns: Annotated[Path, typer.Option(help="Generated returns (from `carestat generate`).")],
    out: Annotated[Path, typer.Option(help="Folder for the partner extracts.")],
    truth: Annotated[Path | None, typer.Option(help="Folder for the ground truth (default: OUT-ground-truth, "
                                                    "beside the extracts, never inside).")] = None,
    share: Annotated[float, typer.Option(help="General population drawn at this share of its real size.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
) -> None:
    """Generate synthetic partner data sets (school census and attainment, employment and benefits,
    justice) and the LAs' identity extract for the young people of the LAs in RETURNS."""
    from carestat.linkage import make_partner_data

    typer.echo(make_partner_data(returns, out, truth=truth, share=share, seed=seed).describe())


@app.command("link")
@friendly
def link_command(
    extracts: Annotated[Path, typer.Option(help="Partner extracts (from `carestat partners`).")],
    db: DbOption = None,
    backend: Annotated[str, typer.Option(help="duckdb (one machine) or spark (a local or cluster session).")] = "duckdb",
    threshold: Annotated[float, typer.Option(help="Match probability at which records are one person.")] = 0.9,
    truth: Annotated[Path | None, typer.Option(help="Ground truth: measure precision, recall and bias.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the evaluation CSVs (with --truth).")] = None,
    key_file: Annotated[Path | None, typer.Option(help="The pseudonymisation key file.")] = None,
) -> None:
    """Link the extracts' records with Splink and store the pseudonymised link table, clusters and
    events in the warehouse (names, dates of birth, postcodes and reference numbers are dropped)."""
    from carestat.linkage import link

    typer.echo(link(extracts, db, backend=backend, threshold=threshold, truth=truth, out=out,
                    key_file=key_file).describe())


@app.command()
@friendly
def outcomes(
    db: DbOption = None,
    out: Annotated[Path, typer.Option(help="Folder for the tables and charts.")] = Path("outcomes"),
) -> None:
    """Overlapping adverse outcomes of young people aged 10 to 21 from the linked data: co-occurrence,
    combinations (UpSet chart), clusters of need, pathways, care leavers in work by age; after
    disclosure control."""
    from carestat.linkage import write_outcomes
    from carestat.provenance import LABEL

    result = write_outcomes(db, out)
    typer.echo(result.describe())
    if result.synthetic:
        typer.echo(LABEL)


