"""A meeting as an iCalendar file (RFC 5545), written by hand: one VEVENT needs no library.

Text values are escaped (RFC 5545 §3.3.11), lines end in CRLF and are folded at 75 octets without splitting a
UTF-8 character (§3.1), times are UTC with the "Z" suffix (§3.3.5, form #2).
"""

from datetime import UTC, datetime

from plaza.clock import utcnow
from plaza.meetings.models import Meeting
from plaza.text import plain_text

CRLF = "\r\n"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets; each continuation starts with one space."""
    parts, current, size = [], "", 0
    for character in line:
        width = len(character.encode("utf-8"))
        if size + width > MAX_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += character
        size += width
    parts.append(current)
    return CRLF.join(parts)


def _uri(value: str) -> str:
    """A URI value is not escaped like text, but must not break the line or the property."""
    return "".join(character for character in value if ord(character) >= 32 and character != "\x7f")


def meeting_calendar(meeting: Meeting, page_url: str, uid_domain: str, now: datetime | None = None,
                     accessibility: list[str] | None = None) -> str:
    """The calendar file for one meeting. `page_url` is the meeting's page; `accessibility` lines (already
    translated) are added to the description."""
    description = plain_text(meeting.description or "")
    extra = [line for line in accessibility or [] if line]
    if extra:
        description = "\n\n".join(part for part in (description, "\n".join(extra)) if part)
    description = "\n\n".join(part for part in (description, page_url) if part)
    location = meeting.address if meeting.kind.has_place else meeting.online_url
    properties = [
        ("BEGIN", "VCALENDAR"),
        ("VERSION", "2.0"),
        ("PRODID", "-//Plaza//Meetings//EN"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("BEGIN", "VEVENT"),
        ("UID", f"meeting-{meeting.id}@{uid_domain}"),
        ("DTSTAMP", utc_stamp(now or utcnow())),
        ("DTSTART", utc_stamp(meeting.starts_at)),
        ("DTEND", utc_stamp(meeting.ends_at)),
        ("SEQUENCE", str(meeting.sequence)),
        ("STATUS", "CANCELLED" if meeting.is_cancelled else "CONFIRMED"),
        ("SUMMARY", escape_text(meeting.title)),
        ("DESCRIPTION", escape_text(description)),
    ]
    if location:
        properties.append(("LOCATION", escape_text(location)))
    properties.append(("URL", _uri(meeting.online_url or page_url)))
    properties += [("END", "VEVENT"), ("END", "VCALENDAR")]
    return "".join(fold(f"{name}:{value}") + CRLF for name, value in properties)
