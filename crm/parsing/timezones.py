"""A time zone as people name it: ``Europe/Moscow``, a city (``Новосибирск``, ``Almaty``),
or an offset (``UTC+5``, ``+3``, ``GMT-2``, ``МСК+4``). Pure; returns an IANA name or None.

An offset becomes a fixed ``Etc/GMT…`` zone (whose sign is inverted by POSIX
convention: UTC+5 is ``Etc/GMT-5``); one with minutes (``UTC+5:30``), which no ``Etc``
zone has, becomes the place that keeps it all year (``Asia/Kolkata``): those that move
it for summer (Newfoundland's −3:30) are no fixed offset, and a city is asked for. A city
becomes its region's zone, so daylight saving follows the place.
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

# Cities people in Russia and nearby name, in Russian and English spellings.
_CITIES: dict[str, str] = {
    "Europe/Kaliningrad": "калининград kaliningrad",
    "Europe/Moscow": (
        "москва moscow мск msk санкт-петербург петербург питер спб saint-petersburg "
        "st-petersburg petersburg нижний-новгород nizhny-novgorod казань kazan "
        "краснодар krasnodar ростов ростов-на-дону rostov воронеж voronezh сочи sochi"
    ),
    "Europe/Samara": "самара samara ижевск izhevsk",
    "Europe/Volgograd": "волгоград volgograd",
    "Europe/Saratov": "саратов saratov",
    "Europe/Ulyanovsk": "ульяновск ulyanovsk",
    "Asia/Yekaterinburg": (
        "екатеринбург yekaterinburg ekaterinburg екб челябинск chelyabinsk пермь perm "
        "уфа ufa тюмень tyumen оренбург orenburg"
    ),
    "Asia/Omsk": "омск omsk",
    "Asia/Novosibirsk": "новосибирск novosibirsk нск",
    "Asia/Barnaul": "барнаул barnaul",
    "Asia/Tomsk": "томск tomsk",
    "Asia/Novokuznetsk": "новокузнецк novokuznetsk кемерово kemerovo",
    "Asia/Krasnoyarsk": "красноярск krasnoyarsk",
    "Asia/Irkutsk": "иркутск irkutsk улан-удэ ulan-ude",
    "Asia/Chita": "чита chita",
    "Asia/Yakutsk": "якутск yakutsk",
    "Asia/Vladivostok": "владивосток vladivostok хабаровск khabarovsk",
    "Asia/Magadan": "магадан magadan",
    "Asia/Sakhalin": "южно-сахалинск yuzhno-sakhalinsk сахалин sakhalin",
    "Asia/Kamchatka": "петропавловск-камчатский petropavlovsk-kamchatsky камчатка kamchatka",
    "Europe/Minsk": "минск minsk",
    "Europe/Kyiv": "киев київ kyiv kiev",
    "Asia/Almaty": "алматы алма-ата almaty",
    "Asia/Tashkent": "ташкент tashkent",
    "Asia/Bishkek": "бишкек bishkek",
    "Asia/Tbilisi": "тбилиси tbilisi",
    "Asia/Yerevan": "ереван yerevan",
    "Asia/Baku": "баку baku",
    "Europe/London": "лондон london",
    "Europe/Berlin": "берлин berlin",
    "Europe/Istanbul": "стамбул istanbul",
    "Asia/Dubai": "дубай dubai",
    "Asia/Bangkok": "бангкок bangkok",
    "America/New_York": "нью-йорк new-york",
}
_OFFSET = re.compile(r"^(utc|gmt|мск|msk)?\s*([+\-−])\s*(\d{1,2})(?::?(00|30|45))?$")
_MOSCOW_OFFSET = 3
# Offsets with minutes kept all year (no daylight saving), in minutes, and their place.
_HALF_HOURS = {
    3 * 60 + 30: "Asia/Tehran",
    4 * 60 + 30: "Asia/Kabul",
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    6 * 60 + 30: "Asia/Yangon",
    8 * 60 + 45: "Australia/Eucla",
    9 * 60 + 30: "Australia/Darwin",
    -(9 * 60 + 30): "Pacific/Marquesas",
}


@cache
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


@cache
def _cities() -> dict[str, str]:
    return {city: zone for zone, names in _CITIES.items() for city in names.split()}


def parse_timezone(text: str) -> str | None:
    """The IANA zone for what was typed, or None when it names none."""
    typed = " ".join(text.split()).lower()
    if not typed or len(typed) > 64:
        return None
    zone = _zones().get(typed.replace(" ", "_"))
    if zone is not None:
        return zone
    city = _cities().get(typed.replace(" ", "-").replace("ё", "е"))
    if city is not None:
        return city
    if typed in ("utc", "gmt"):
        return "UTC"
    match = _OFFSET.match(typed)
    if match is None:
        return None
    base, sign, hours, minutes = match.groups()
    side = -1 if sign in "-−" else 1
    offset = int(hours) * side
    if base in ("мск", "msk"):
        offset += _MOSCOW_OFFSET
    if minutes not in (None, "00"):
        return _HALF_HOURS.get(offset * 60 + side * int(minutes))
    if not -12 <= offset <= 14:
        return None
    if offset == 0:
        return "UTC"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
