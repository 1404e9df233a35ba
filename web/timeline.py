"""The matching reports per year (per month when they all fall within a year), for the small chart
above the results and the ``timeline`` of ``/search.json``: built from the engine's date facets, so it
costs a search nothing more than the counts it already makes."""

from __future__ import annotations

MAX_BARS = 15  # years shown; older matches are summed in "earlier" (a bar stays wide enough to tap)
MONTHS_WITHIN = 12  # months shown one by one when the dated matches span at most this many


def timeline(facets: dict) -> dict | None:
    """``{"unit": "year" | "month", "bars": [{"period", "count"}, ...] oldest first, "earlier": n}``,
    periods written as the ``from``/``to`` parameters take them (``2019``, ``2019-09``), empty periods
    between the first and the last included; None when no match has a date."""
    years = {year: n for year, n in facets.get("years") or []}
    if not years:
        return None
    months = {month: n for month, n in facets.get("months") or []}
    if months and sum(months.values()) == sum(years.values()):
        first, last = min(months), max(months)
        span = _month_number(last) - _month_number(first) + 1
        if span <= MONTHS_WITHIN:
            periods = [_month_name(_month_number(first) + i) for i in range(span)]
            return {"unit": "month", "bars": [_bar(m, months.get(m, 0)) for m in periods], "earlier": 0}
    first_year, last_year = int(min(years)), int(max(years))
    start = max(first_year, last_year - MAX_BARS + 1)
    bars = [_bar(f"{y:04d}", years.get(f"{y:04d}", 0)) for y in range(start, last_year + 1)]
    earlier = sum(n for year, n in years.items() if int(year) < start)
    return {"unit": "year", "bars": bars, "earlier": earlier}


def chart(data: dict, height: int = 40) -> dict:
    """Bar geometry for the SVG (a viewBox ``10 × len(bars)`` wide, ``height`` high, stretched to the
    width of the page): each bar's ``x``, ``y``, ``h``, and a shown label for a few of them."""
    bars = data["bars"]
    top = max((bar["count"] for bar in bars), default=0) or 1
    every = max(1, -(-len(bars) // 6))  # at most about six labels under the bars
    shapes = []
    for i, bar in enumerate(bars):
        h = round(bar["count"] / top * (height - 2), 2)
        if bar["count"] and h < 1:
            h = 1
        label = bar["period"] if data["unit"] == "year" else _short_month(bar["period"])
        shapes.append(
            {
                **bar,
                "x": i * 10 + 1,
                "y": round(height - h, 2),
                "h": h,
                "label": label,
                "tick": i % every == 0 or i == len(bars) - 1,
            }
        )
    return {"width": 10 * len(bars), "height": height, "bars": shapes}


def _bar(period: str, count: int) -> dict:
    return {"period": period, "count": int(count)}


def _month_number(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _month_name(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _short_month(period: str) -> str:
    """2019-09 → 09/2019."""
    return f"{period[5:7]}/{period[:4]}"
