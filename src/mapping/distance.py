"""Distance on the earth's surface: the one haversine of the project (network suggestions,
duplicate detection of sign-ups, picked-point checks all use it)."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

EARTH_RADIUS_KM = 6371.0088          # mean earth radius (IUGG)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in km (scalars or NumPy arrays; NaN where a point is missing)."""
    if all(isinstance(v, Real) for v in (lat1, lon1, lat2, lon2)):
        # plain numbers (the duplicate check calls this per candidate pair): math, not NumPy, whose
        # per-call overhead on scalars is ~20x the arithmetic; the same formula
        p1, p2 = math.radians(lat1), math.radians(lat2)
        a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(km) if np.ndim(km) == 0 else km


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """The same distance in metres."""
    return haversine_km(lat1, lon1, lat2, lon2) * 1000.0
