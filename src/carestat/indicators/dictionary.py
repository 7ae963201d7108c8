"""The indicator dictionary, generated from the registry (never written by hand)."""

from __future__ import annotations

import polars as pl

from carestat.indicators.registry import all_indicators


def dictionary() -> pl.DataFrame:
    rows = [{
        "indicator_id": i.id, "name": i.name, "definition": i.definition, "numerator": i.numerator,
        "denominator": i.denominator, "unit": i.unit, "polarity": i.polarity,
        "breakdowns": ";".join(i.breakdowns), "first_year": i.first_year, "source": i.source,
        "topic": i.topic, "decimal_places": i.decimal_places, "published_id": i.published_id,
    } for i in all_indicators().values()]
    return pl.DataFrame(rows).sort("topic", "indicator_id")
