"""CAP 1.2 documents and the Atom feed of active alerts (pure builders: rows in, bytes out).

    alert_xml(alert)           one <alert> in urn:oasis:names:tc:emergency:cap:1.2
    feed_xml(alerts, ...)      an Atom 1.0 feed; each <entry> links to its CAP document and
                               carries the complete <alert> inline in <content type="application/cap+xml">;
                               an Update or a Cancel says so in its summary too ("Cancel · Severe · …")

CAP times have whole seconds and an explicit offset (never "Z"; UTC is "-00:00"). The text of an
alert goes in as text: ElementTree escapes it, so markup in a headline stays characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from xml.etree import ElementTree as ET

from db.alerts import SENDER_NAME, cap_time_text

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
ATOM_MIME = "application/atom+xml"
LANGUAGE = "en-IN"

ET.register_namespace("cap", CAP_NS)
# The feed's own elements unprefixed (Atom attributes such as rel= are unqualified, which rules out
# tostring's default_namespace option there).
ET.register_namespace("", ATOM_NS)


def _el(parent, ns: str, tag: str, text: str | None = None, attrs: dict | None = None):
    element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs or {})
    if text is not None:
        element.text = text
    return element


def circle_text(lat: float, lon: float, radius_km: float) -> str:
    """CAP circle: "lat,lon radius" (WGS 84 degrees, radius in km)."""
    return f"{lat:.5f},{lon:.5f} {radius_km:g}"


def _info(root, alert, *, language: str, event: str, headline: str, description: str, instruction: str,
          web_url: str | None) -> None:
    info = _el(root, CAP_NS, "info")
    _el(info, CAP_NS, "language", language)
    _el(info, CAP_NS, "category", alert.category)
    _el(info, CAP_NS, "event", event)
    _el(info, CAP_NS, "urgency", alert.urgency)
    _el(info, CAP_NS, "severity", alert.severity)
    _el(info, CAP_NS, "certainty", alert.certainty)
    _el(info, CAP_NS, "effective", cap_time_text(alert.effective))
    _el(info, CAP_NS, "expires", cap_time_text(alert.expires))
    _el(info, CAP_NS, "senderName", SENDER_NAME)
    _el(info, CAP_NS, "headline", headline)
    if description:
        _el(info, CAP_NS, "description", description)
    if instruction:
        _el(info, CAP_NS, "instruction", instruction)
    if web_url:
        _el(info, CAP_NS, "web", web_url)
    area = _el(info, CAP_NS, "area")
    _el(area, CAP_NS, "areaDesc", alert.area_desc)
    if alert.circle_radius_km is not None and alert.circle_lat is not None and alert.circle_lon is not None:
        _el(area, CAP_NS, "circle", circle_text(alert.circle_lat, alert.circle_lon, alert.circle_radius_km))


def alert_element(alert, *, web_url: str | None = None) -> ET.Element:
    root = ET.Element(f"{{{CAP_NS}}}alert")
    for tag, value in (("identifier", alert.identifier), ("sender", alert.sender),
                       ("sent", cap_time_text(alert.sent)), ("status", alert.status),
                       ("msgType", alert.msg_type), ("scope", alert.scope or "Public")):
        _el(root, CAP_NS, tag, value)
    if alert.references:
        _el(root, CAP_NS, "references", alert.references)
    blocks = [(LANGUAGE, alert.event, alert.headline, alert.description, alert.instruction)]
    # One more <info> per language the officer wrote the alert in (CAP 1.2 §3.2.2: same message,
    # another language); "hi" is written "hi-IN" as the English block is "en-IN".
    blocks += [(f"{t.language}-IN", t.event or alert.event, t.headline, t.description, t.instruction)
               for t in getattr(alert, "translations", None) or ()]
    for language, event, headline, description, instruction in blocks:
        _info(root, alert, language=language, event=event, headline=headline, description=description,
              instruction=instruction, web_url=web_url)
    return root


def alert_xml(alert, *, web_url: str | None = None) -> bytes:
    return ET.tostring(alert_element(alert, web_url=web_url), encoding="utf-8", xml_declaration=True,
                       default_namespace=CAP_NS)


def alert_url(base_url: str, identifier: str) -> str:
    return f"{base_url.rstrip('/')}/cap/alerts/{identifier}.xml"


def feed_xml(alerts: Iterable, *, base_url: str, now: datetime, title: str = "HealthFirst public health alerts") -> bytes:
    """Atom 1.0 feed of the given messages in the order given (db.alerts.feed_alerts: the alerts in
    force and the Updates and Cancels that replace alerts which would still be in force)."""
    base = base_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _el(feed, ATOM_NS, "id", f"{base}/cap/alerts.xml")
    _el(feed, ATOM_NS, "title", title)
    _el(feed, ATOM_NS, "updated", cap_time_text(now))
    author = _el(feed, ATOM_NS, "author")
    _el(author, ATOM_NS, "name", SENDER_NAME)
    _el(feed, ATOM_NS, "link", attrs={"rel": "self", "type": ATOM_MIME, "href": f"{base}/cap/alerts.xml"})
    for alert in alerts:
        url = alert_url(base, alert.identifier)
        entry = _el(feed, ATOM_NS, "entry")
        _el(entry, ATOM_NS, "id", url)
        _el(entry, ATOM_NS, "title", alert.headline)
        _el(entry, ATOM_NS, "updated", cap_time_text(alert.sent))
        _el(entry, ATOM_NS, "link", attrs={"rel": "alternate", "type": CAP_MIME, "href": url})
        kind = "" if alert.msg_type == "Alert" else f"{alert.msg_type} · "
        _el(entry, ATOM_NS, "summary", f"{kind}{alert.severity} · {alert.event} · {alert.area_desc}")
        content = _el(entry, ATOM_NS, "content", attrs={"type": CAP_MIME})
        content.append(alert_element(alert, web_url=f"{base}/alerts"))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
