"""Who sent an event, without keeping anything that identifies a person: device facts parsed
from the User-Agent and the client address truncated to its network (IPv4 /24, IPv6 /48)."""

import functools
import ipaddress
import json
import re

from rest_framework.throttling import BaseThrottle

MAX_USER_AGENT = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SESSION = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

_BOT = re.compile(r"bot|crawl|spider|slurp|headless", re.I)
_BROWSERS = [
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/")),
    ("Safari", re.compile(r"Safari/")),
    ("App", re.compile(r"okhttp|CFNetwork|Dart/|Dalvik", re.I)),
]
_OSES = [
    ("iOS", re.compile(r"iPhone|iPad|iPod|iOS")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
]


def _first(rules, text):
    return next((name for name, pattern in rules if pattern.search(text)), "other")


def device_type(user_agent):
    if not user_agent:
        return "unknown"
    if _BOT.search(user_agent):
        return "bot"
    if re.search(r"iPad|Tablet", user_agent) or ("Android" in user_agent and "Mobile" not in user_agent):
        return "tablet"
    if re.search(r"Mobi|iPhone|iPod|Android", user_agent):
        return "mobile"
    return "desktop"


_V4_NETWORK = (1 << 32) - (1 << 8)  # the /24 mask
_V6_NETWORK = (1 << 128) - (1 << 80)  # the /48 mask


# A dotted quad as ``ipaddress`` accepts it (each octet 0-255, no leading zero): its /24 is its first three octets.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_V4 = re.compile(rf"((?:{_OCTET}\.){{3}}){_OCTET}")


def truncate_ip(address):
    """The network of ``address`` (IPv4 /24, IPv6 /48), or "" when it is not an address. Every shopper has
    an address of their own: an IPv4 one is cut as text, without parsing (``_truncate_parsed`` answers the same)."""
    quad = _V4.fullmatch(address.strip()) if address else None
    if quad is not None:
        return f"{quad[1]}0/24"
    return _truncate_parsed(address)


@functools.lru_cache(maxsize=4096)
def _truncate_parsed(address):
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    # What str(ip_network(f"{ip}/{prefix}", strict=False)) answers, without building the network.
    if ip.version == 4:
        return f"{ipaddress.IPv4Address(int(ip) & _V4_NETWORK)}/24"
    return f"{ipaddress.IPv6Address(int(ip) & _V6_NETWORK)}/48"


@functools.lru_cache(maxsize=1024)
def _user_agent_facts(user_agent):
    """``(device type, browser, os)`` of a User-Agent (a few regular expressions; clients repeat theirs)."""
    if not user_agent:
        return device_type(user_agent), "unknown", "unknown"
    return device_type(user_agent), _first(_BROWSERS, user_agent), _first(_OSES, user_agent)


def device_info(request):
    """The seed's ``device_info`` without the personal parts: no raw address, no location."""
    user_agent = _CONTROL.sub("", request.META.get("HTTP_USER_AGENT", ""))[:MAX_USER_AGENT]
    kind, browser, os = _user_agent_facts(user_agent)
    return {
        "user_agent": user_agent,
        "ip_address": truncate_ip(BaseThrottle().get_ident(request)),
        "device_type": kind,
        "browser": browser,
        "os": os,
    }


_encode = json.JSONEncoder(separators=(",", ":")).encode


@functools.lru_cache(maxsize=1024)
def _user_agent_json(user_agent):
    """``device_info``'s JSON around the address, for a User-Agent: ``(before, after)``."""
    kind, browser, os = _user_agent_facts(user_agent)
    return (
        '{"user_agent":' + _encode(user_agent) + ',"ip_address":',
        "," + _encode({"device_type": kind, "browser": browser, "os": os})[1:],
    )


def device_info_json(request):
    """``device_info(request)`` as compact JSON (``json.dumps`` with ``separators=(",", ":")``), from
    per-User-Agent pieces: only the address is encoded per request."""
    user_agent = _CONTROL.sub("", request.META.get("HTTP_USER_AGENT", ""))[:MAX_USER_AGENT]
    before, after = _user_agent_json(user_agent)
    return f'{before}"{truncate_ip(BaseThrottle().get_ident(request))}"{after}'  # a network: nothing to escape


def session_header(request):
    """The ``X-Session-Id`` request header when it is a valid session id, else "". Read from ``META`` (what
    ``request.headers`` reads), so a request that needs no other header does not build the headers' mapping."""
    value = request.META.get("HTTP_X_SESSION_ID", "")
    return value if _SESSION.match(value) else ""
