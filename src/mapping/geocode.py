"""Offline geocoding: postcode-4 centroids and place points, with an honest precision.

No network calls, ever. Data comes from the ``pc4`` and ``places`` tables that ``build`` fills
from ``data/pc4_centroids.csv`` and ``data/woonplaatsen.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mapping.records import FieldError, fold, parse_postcode


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    precision: str          # address | postcode | wijk | place | online | unknown
    label: str              # what the point stands for, e.g. "postcode 2341" or "Oegstgeest"


class Geocoder:
    def __init__(self, pc4: pd.DataFrame, places: pd.DataFrame):
        self._pc4 = {
            int(row.postcode): (float(row.lat), float(row.lon), row.woonplaats if isinstance(row.woonplaats, str) else "")
            for row in pc4.itertuples(index=False)
        }
        self._places: dict[str, list[tuple[float, float, str, float]]] = {}
        for row in places.itertuples(index=False):
            inhabitants = float(row.inwoners_2021) if pd.notna(row.inwoners_2021) else 0.0
            self._places.setdefault(fold(row.woonplaats), []).append(
                (float(row.lat), float(row.lon), row.gemeente_code, inhabitants)
            )
        self._place_names = {fold(row.woonplaats): row.woonplaats for row in places.itertuples(index=False)}

    @classmethod
    def from_store(cls, store) -> "Geocoder":
        return cls(
            store.df("SELECT postcode, lat, lon, woonplaats FROM pc4"),
            store.df("SELECT woonplaats, gemeente_code, lat, lon, inwoners_2021 FROM places"),
        )

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> "Geocoder":
        return cls(
            pd.read_csv(data_dir / "pc4_centroids.csv", usecols=["postcode", "lat", "lon", "woonplaats"]),
            pd.read_csv(data_dir / "woonplaatsen.csv",
                        usecols=["woonplaats", "gemeente_code", "lat", "lon", "inwoners_2021"]),
        )

    def postcode_exists(self, postcode: Any) -> bool:
        _, digits = parse_postcode(postcode)
        return digits is not None and digits in self._pc4

    def by_postcode(self, postcode: Any) -> Location | None:
        _, digits = parse_postcode(postcode)
        if digits is None or digits not in self._pc4:
            return None
        lat, lon, place = self._pc4[digits]
        return Location(lat, lon, "postcode", f"postcode {digits}" + (f" ({place})" if place else ""))

    def place_for_postcode(self, postcode: Any) -> str | None:
        _, digits = parse_postcode(postcode)
        hit = self._pc4.get(digits) if digits is not None else None
        return hit[2] or None if hit else None

    def by_place(self, name: Any, gemeente_code: str | None = None) -> Location | None:
        """A place point; homonyms resolve to the given gemeente, else to the most populous."""
        candidates = self._places.get(fold(str(name or "")).strip())
        if not candidates:
            return None
        if gemeente_code:
            in_gemeente = [c for c in candidates if c[2] == gemeente_code]
            candidates = in_gemeente or candidates
        lat, lon, _, _ = max(candidates, key=lambda c: c[3])
        return Location(lat, lon, "place", self._place_names.get(fold(str(name)).strip(), str(name)))

    def locate(self, record: dict[str, Any]) -> tuple[Location | None, list[FieldError]]:
        """Fill a missing point from postcode, then place. Returns (location or None, errors).

        A record that already has lat/lon keeps it with its stated precision; an online record
        without a point stays online; a postcode that does not exist is an error.
        """
        errors: list[FieldError] = []
        if record.get("lat") is not None and record.get("lon") is not None:
            return Location(record["lat"], record["lon"], record.get("location_precision") or "address",
                            record.get("address") or record.get("place") or ""), errors
        postcode = record.get("postcode")
        if postcode:
            hit = self.by_postcode(postcode)
            if hit is None:
                errors.append(FieldError("postcode", "error.postcode_unknown", {"value": str(postcode)}))
                return None, errors
            return hit, errors
        place = record.get("place")
        if place:
            hit = self.by_place(place)
            if hit is None and not record.get("online"):
                errors.append(FieldError("place", "error.place_unknown", {"value": str(place)[:60]}))
            return hit, errors
        return None, errors
