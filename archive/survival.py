"""Kaplan-Meier time to resolve, treating incidents not yet seen resolved as censored.

Sightings only bracket the moment a notice resolved: it was still open at `last_open` and
already closed at `first_closed`. `incidents` gives both ends as minutes from t0. The
estimate uses the upper end (`observed_resolve_max_minutes`, resolved by then at the
latest) for resolved incidents unless asked for the lower end, and censors still-open and
vanished-open incidents at the last time they were seen open: they lasted at least that
long, and counting them as resolved then would shorten every estimate.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd


def kaplan_meier(durations: np.ndarray, resolved: np.ndarray) -> pd.DataFrame:
    """Survival table: for each distinct time, at risk, resolved, censored, S(t).

    ``durations`` in any unit; ``resolved`` True where the end was observed, False where
    the incident was censored (still open when last seen). NaN durations are dropped.
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(resolved, dtype=bool)
    keep = ~np.isnan(d)
    d, e = d[keep], e[keep]
    if not len(d):  # nothing to estimate from (a new archive, a category with no bracket)
        return pd.DataFrame(columns=["minutes", "at_risk", "resolved", "censored", "survival"])
    times, index = np.unique(d, return_inverse=True)
    events = np.bincount(index, weights=e, minlength=len(times)).astype(int)
    total = np.bincount(index, minlength=len(times))
    at_risk = len(d) - np.concatenate(([0], np.cumsum(total)[:-1]))
    survival = np.cumprod(1.0 - events / np.maximum(at_risk, 1))
    return pd.DataFrame(
        {
            "minutes": times,
            "at_risk": at_risk,
            "resolved": events,
            "censored": total - events,
            "survival": survival,
        }
    )


def median_survival(table: pd.DataFrame) -> float | None:
    """The first time S(t) falls to 0.5 or below; None when it never does (too censored)."""
    below = table[table["survival"] <= 0.5]
    return float(below["minutes"].iloc[0]) if len(below) else None


def incidents_for_km(
    con: duckdb.DuckDBPyConnection, where: str = "TRUE", *, end: str = "max"
) -> pd.DataFrame:
    """Durations and resolved flags from `incidents`.

    Left out: notices without a state; notices first seen already closed, of which we
    know only that they resolved somewhere in (t0, first_closed]: on an archive's first
    crawl that is every older notice, and counting them as resolved at their upper bound
    would measure the archive's start date, not outages (`first_seen_closed_count`); and
    notices with no published time, whose t0 is their first sighting: the outage began
    some unknown time before it, so their brackets bound nothing (`untimed_count`).
    """
    if end not in ("max", "min"):
        raise ValueError("end is 'max' or 'min'")
    resolved_at = f"observed_resolve_{end}_minutes"
    return con.execute(
        f"""
        SELECT notice_key, category, severity, t0, censored,
               CASE WHEN censored IS NULL THEN {resolved_at}
                    ELSE observed_resolve_min_minutes END AS minutes,
               censored IS NULL AS resolved
        FROM incidents
        WHERE censored IS DISTINCT FROM 'no_state'
          AND censored IS DISTINCT FROM 'first_seen_closed'
          AND t0_source = 'published' AND ({where})
        """
    ).df()


def first_seen_closed_count(con: duckdb.DuckDBPyConnection, where: str = "TRUE") -> int:
    """How many incidents the estimate leaves out because they were first seen closed."""
    row = con.execute(
        f"SELECT count(*) FROM incidents WHERE censored = 'first_seen_closed' AND ({where})"
    ).fetchone()
    return int(row[0]) if row else 0


def untimed_count(con: duckdb.DuckDBPyConnection, where: str = "TRUE") -> int:
    """How many the estimate leaves out, seen open then closed, for want of a published
    time (the 2017-2019 pages' items have none)."""
    row = con.execute(
        "SELECT count(*) FROM incidents WHERE t0_source = 'first_seen'"
        " AND censored IS DISTINCT FROM 'no_state'"
        f" AND censored IS DISTINCT FROM 'first_seen_closed' AND ({where})"
    ).fetchone()
    return int(row[0]) if row else 0


def time_to_resolve_km(
    con: duckdb.DuckDBPyConnection, where: str = "TRUE", *, end: str = "max"
) -> pd.DataFrame:
    """Kaplan-Meier table for the incidents ``where`` selects."""
    data = incidents_for_km(con, where, end=end)
    return kaplan_meier(data["minutes"].to_numpy(), data["resolved"].to_numpy())
