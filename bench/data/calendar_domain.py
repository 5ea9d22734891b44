"""A fourth domain, written blind from the README: a personal calendar and email assistant.

    python bench/data/calendar_domain.py "What's on my calendar tomorrow?"   # OpenAI if OPENAI_API_KEY is set, else local

Seven orchestrations (list, create, reschedule and cancel events, find free time, send and search
email) over a small sample of events and messages (`calendar_sample.json`, no network), registered with the public
API only (`@tool`, `Orchestration`, `Agent(orchestrations=..., tools=...)`).
`python -m bench routing --orchestrations bench/data/calendar_domain.py --cases bench/data/routing_calendar.jsonl --json`
measures how the embedded model routes it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import date as Date
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent import Agent, make_llm
from orchestrations import Orchestration, OrchestrationData, RunContext, Table
from tools import tool

# -- sample data ----------------------------------------------------------------------------
TODAY = Date(2025, 6, 10)  # a Tuesday: "today", "tomorrow" and weekday names are read against it
SAMPLE = json.loads(Path(__file__).with_name("calendar_sample.json").read_text(encoding="utf-8"))
"""Read at each load, so every agent built on a fresh load of this module starts from the sample."""
ME: str = SAMPLE["me"]
EVENTS: list[dict[str, Any]] = SAMPLE["events"]
"""The user's calendar: one dict per event (id, title, ISO date, HH:MM start, length in minutes, calendar, attendees)."""
MESSAGES: list[dict[str, Any]] = SAMPLE["messages"]
"""The user's mailbox: one dict per message."""

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
DAY_START, DAY_END = 8 * 60, 20 * 60  # free time is looked for between 08:00 and 20:00
PARTS = {"any": (DAY_START, DAY_END), "morning": (8 * 60, 12 * 60), "afternoon": (12 * 60, 17 * 60), "evening": (17 * 60, 21 * 60)}


def resolve_date(text: str) -> str | None:
    """An ISO date for the user's words: 2025-06-12, today, tomorrow, (next) Friday, June 12 / 12 June."""
    t = text.strip().lower()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return t
    if t in ("today", "tonight"):
        return TODAY.isoformat()
    if t == "tomorrow":
        return (TODAY + timedelta(days=1)).isoformat()
    for i, day in enumerate(WEEKDAYS):
        if day in t or t.rstrip(".") == day[:3]:
            ahead = (i - TODAY.weekday()) % 7  # this week's day, today included; "next Tuesday" is a week on
            if ahead == 0 and t.startswith("next"):
                ahead = 7
            return (TODAY + timedelta(days=ahead)).isoformat()
    for m, month in enumerate(MONTHS, start=1):
        if month[:3] in t:
            n = re.search(r"\d{1,2}", t)
            if n:
                return Date(TODAY.year, m, int(n.group())).isoformat()
    return None


def resolve_time(text: str) -> str | None:
    """HH:MM for the user's words: 14:30, 3pm, 3:30 pm, 9 am, noon."""
    t = text.strip().lower().replace(".", "")
    if t in ("noon", "midday"):
        return "12:00"
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", t)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3) == "pm" and hour < 12:
        hour += 12
    if m.group(3) == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _find_event(ref: str) -> dict[str, Any] | None:
    """The event an id (EV-2031) or a title ("the design review", "dentist") refers to; the next one first."""
    r = ref.strip().lower()
    for ev in EVENTS:
        if ev["id"].lower() == r:
            return ev
    words = [w for w in re.findall(r"[\w:]+", r) if w not in ("the", "my", "a", "an", "meeting", "with")]
    matches = [ev for ev in EVENTS if words and all(w in ev["title"].lower() for w in words)]
    upcoming = [ev for ev in matches if ev["date"] >= TODAY.isoformat()]
    return (upcoming or matches or [None])[0]


# -- tools ------------------------------------------------------------------------------------
@tool(timeout=5)
def events_on(day: str) -> list[dict[str, Any]]:
    """The calendar's events on one ISO date, by start time."""
    return sorted((ev for ev in EVENTS if ev["date"] == day), key=lambda ev: ev["start"])


@tool(timeout=5, cache=False)
def add_event(title: str, day: str, start: str, minutes: int, attendees: list[str]) -> dict[str, Any]:
    """Add an event to the calendar; returns it with its new id."""
    new_id = f"EV-{max(int(ev['id'][3:]) for ev in EVENTS) + 1}"
    event = {"id": new_id, "title": title, "date": day, "start": start, "minutes": minutes, "calendar": "work" if attendees else "personal", "attendees": attendees}
    EVENTS.append(event)
    return event


@tool(timeout=5, cache=False)
def move_event(event_id: str, day: str, start: str) -> dict[str, Any]:
    """Move an event to another ISO date and HH:MM start."""
    for ev in EVENTS:
        if ev["id"] == event_id:
            ev["date"], ev["start"] = day, start
            return ev
    raise ValueError(f"no event {event_id}")


@tool(timeout=5, cache=False)
def delete_event(event_id: str, notify: bool) -> dict[str, Any]:
    """Remove an event from the calendar; returns it and who was told."""
    for i, ev in enumerate(EVENTS):
        if ev["id"] == event_id:
            del EVENTS[i]
            return {**ev, "notified": ev["attendees"] if notify else []}
    raise ValueError(f"no event {event_id}")


@tool(timeout=5, cache=False)
def deliver_email(to: str, subject: str, body: str) -> dict[str, Any]:
    """Send an email from the user's account (kept in the sent folder)."""
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", to.strip(), re.I):
        raise ValueError(f"not an email address: {to!r}")
    message = {"id": f"M-{500 + len(MESSAGES) + 1}", "folder": "sent", "from": ME, "to": to.strip(), "date": TODAY.isoformat(), "subject": subject, "body": body}
    MESSAGES.append(message)
    return message


@tool(timeout=5)
def find_messages(query: str, sender: str | None = None, folder: str = "all") -> list[dict[str, Any]]:
    """Messages whose subject or body has every word of `query`, optionally from a sender, in a folder."""
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 2]
    found = []
    for msg in MESSAGES:
        text = f"{msg['subject']} {msg['body']}".lower()
        if folder != "all" and msg["folder"] != folder:
            continue
        if sender and sender.lower().split("@")[0] not in msg["from"].lower():
            continue
        if words and not any(w in text for w in words):
            continue
        found.append(msg)
    return found


TOOLS = [events_on, add_event, move_event, delete_event, deliver_email, find_messages]


def _event_rows(events: list[dict[str, Any]]) -> list[list[Any]]:
    return [[ev["id"], ev["date"], ev["start"], ev["minutes"], ev["title"], ev["calendar"], ", ".join(ev["attendees"])] for ev in events]


EVENT_COLUMNS = ["id", "date", "start", "minutes", "title", "calendar", "attendees"]


# -- orchestrations ---------------------------------------------------------------------------
class ListEventsParams(BaseModel):
    date: str = Field(description="The day to show, in the user's words: a date such as 2025-06-12, a weekday such as Friday, today or tomorrow.")
    calendar: Literal["all", "work", "personal"] = Field("all", description="Which calendar: work, personal, or all of them.")


class ListEvents(Orchestration[ListEventsParams]):
    name = "list_events"
    description = "Show the events and meetings on the user's calendar for one day."
    examples = [
        "What's on my calendar tomorrow?",
        "Do I have any meetings on Thursday?",
        "Show my work calendar for 2025-06-12",
        "What does my schedule look like today?",
    ]
    Params = ListEventsParams

    async def gather(self, params: ListEventsParams, ctx: RunContext) -> OrchestrationData:
        day = resolve_date(params.date)
        if day is None:
            return OrchestrationData(missing=[f"the date {params.date!r} is not one I can read"])
        events = await ctx.fetch(events_on, day=day) or []
        if params.calendar != "all":
            events = [ev for ev in events if ev["calendar"] == params.calendar]
        return OrchestrationData(tables={"events": Table(f"Events on {day}", EVENT_COLUMNS, _event_rows(events))},
                                 facts={"date": day, "count": len(events)})


class CreateEventParams(BaseModel):
    title: str = Field(description="The event's name, as the user calls it.")
    date: str = Field(description="The day, in the user's words: a date such as 2025-06-12, a weekday, today or tomorrow.")
    start_time: str = Field(description="When it starts, in the user's words: 14:30, 3pm, noon.")
    duration_minutes: int = Field(60, description="How long it lasts, in minutes.", ge=5, le=720)
    attendees: list[str] = Field(default_factory=list, description="Email addresses of the people to invite.")


class CreateEvent(Orchestration[CreateEventParams]):
    name = "create_event"
    description = "Add a new event or meeting to the calendar on a given day and time, optionally inviting people."
    examples = [
        "Schedule a dentist appointment on Friday at 9am",
        "Book a 30 minute call with pat@example.org tomorrow at 14:00",
        "Put Team lunch on my calendar for Wednesday at noon",
        "Set up a meeting called Roadmap review on 2025-06-16 at 10:30 for 90 minutes",
    ]
    Params = CreateEventParams

    async def gather(self, params: CreateEventParams, ctx: RunContext) -> OrchestrationData:
        day, start = resolve_date(params.date), resolve_time(params.start_time)
        if day is None or start is None:
            return OrchestrationData(missing=[f"could not read the day {params.date!r} or the time {params.start_time!r}"])
        clashes = [ev for ev in await ctx.fetch(events_on, day=day) or []
                   if _minutes(ev["start"]) < _minutes(start) + params.duration_minutes and _minutes(start) < _minutes(ev["start"]) + ev["minutes"]]
        event = await ctx.fetch(add_event, title=params.title, day=day, start=start, minutes=params.duration_minutes, attendees=params.attendees)
        if event is None:
            return OrchestrationData()
        return OrchestrationData(tables={"created": Table("New event", EVENT_COLUMNS, _event_rows([event])),
                                         "clashes": Table("Overlapping events", EVENT_COLUMNS, _event_rows(clashes))},
                                 facts={"id": event["id"], "clashes": len(clashes)})


class RescheduleEventParams(BaseModel):
    event: str = Field(description="The event to move: its title or its id such as EV-2031.")
    new_date: str | None = Field(None, description="The new day, in the user's words; leave out to keep the day.")
    new_start_time: str | None = Field(None, description="The new start time, in the user's words (14:30, 3pm); leave out to keep the time.")


class RescheduleEvent(Orchestration[RescheduleEventParams]):
    name = "reschedule_event"
    description = "Move an existing calendar event to another day or another start time."
    examples = [
        "Move my dentist appointment to Thursday",
        "Push the design review to 4pm",
        "Reschedule EV-2035 to Monday at 11:00",
        "Can we shift the budget sync to next Tuesday?",
    ]
    Params = RescheduleEventParams

    async def gather(self, params: RescheduleEventParams, ctx: RunContext) -> OrchestrationData:
        ev = _find_event(params.event)
        if ev is None:
            return OrchestrationData(missing=[f"no event matches {params.event!r}"])
        day = resolve_date(params.new_date) if params.new_date else ev["date"]
        start = resolve_time(params.new_start_time) if params.new_start_time else ev["start"]
        if day is None or start is None:
            return OrchestrationData(missing=[f"could not read the new day or time for {ev['title']}"])
        before = _event_rows([dict(ev)])
        moved = await ctx.fetch(move_event, event_id=ev["id"], day=day, start=start)
        rows = before + (_event_rows([moved]) if moved else [])
        return OrchestrationData(tables={"moved": Table("Before and after", EVENT_COLUMNS, rows)}, facts={"id": ev["id"]})


class CancelEventParams(BaseModel):
    event: str = Field(description="The event to cancel: its title or its id such as EV-2031.")
    notify_attendees: bool = Field(True, description="Tell the invited people that it is cancelled.")


class CancelEvent(Orchestration[CancelEventParams]):
    name = "cancel_event"
    description = "Cancel an event: delete it from the calendar and let its attendees know."
    examples = [
        "Cancel my yoga class",
        "Delete EV-2034 from my calendar",
        "Call off the quarterly planning meeting",
        "I can't make the 1:1 with Dana, please cancel it",
    ]
    Params = CancelEventParams

    async def gather(self, params: CancelEventParams, ctx: RunContext) -> OrchestrationData:
        ev = _find_event(params.event)
        if ev is None:
            return OrchestrationData(missing=[f"no event matches {params.event!r}"])
        gone = await ctx.fetch(delete_event, event_id=ev["id"], notify=params.notify_attendees)
        if gone is None:
            return OrchestrationData()
        return OrchestrationData(tables={"cancelled": Table("Cancelled", EVENT_COLUMNS, _event_rows([gone]))},
                                 facts={"notified": gone["notified"]})


class FindFreeSlotParams(BaseModel):
    date: str = Field(description="The day to look at, in the user's words: a date such as 2025-06-12, a weekday, today or tomorrow.")
    duration_minutes: int = Field(30, description="How much free time is needed, in minutes.", ge=5, le=720)
    part_of_day: Literal["any", "morning", "afternoon", "evening"] = Field("any", description="Only look in the morning, afternoon or evening.")


class FindFreeSlot(Orchestration[FindFreeSlotParams]):
    name = "find_free_slot"
    description = "Find free time in the calendar: open slots of a given length on one day."
    examples = [
        "When am I free tomorrow?",
        "Find me a free hour on Friday afternoon",
        "Do I have 45 minutes open on Wednesday morning?",
        "Is there a gap for a 2 hour block on 2025-06-13?",
    ]
    Params = FindFreeSlotParams

    async def gather(self, params: FindFreeSlotParams, ctx: RunContext) -> OrchestrationData:
        day = resolve_date(params.date)
        if day is None:
            return OrchestrationData(missing=[f"the date {params.date!r} is not one I can read"])
        lo, hi = PARTS[params.part_of_day]
        busy = sorted((_minutes(ev["start"]), _minutes(ev["start"]) + ev["minutes"]) for ev in await ctx.fetch(events_on, day=day) or [])
        slots, cursor = [], lo
        for start, end in busy + [(hi, hi)]:
            if min(start, hi) - cursor >= params.duration_minutes:
                slots.append([_hhmm(cursor), _hhmm(min(start, hi)), min(start, hi) - cursor])
            cursor = max(cursor, end)
        return OrchestrationData(tables={"free": Table(f"Free on {day} ({params.part_of_day})", ["from", "to", "minutes"], slots)},
                                 facts={"date": day, "slots": len(slots)})


class SendEmailParams(BaseModel):
    to: str = Field(description="The recipient's email address, such as pat@example.org.")
    subject: str = Field(description="The subject line: what the message is about.")
    body: str = Field("", description="The text of the message, if the user dictates it.")


class SendEmail(Orchestration[SendEmailParams]):
    name = "send_email"
    description = "Write and send an email to one recipient."
    examples = [
        "Email pat@example.org about the budget numbers",
        "Send a note to sam@example.org saying I'll be 10 minutes late",
        "Write to dana@example.org with the subject Offsite plans",
        "Shoot lee@example.org a message to confirm Thursday",
    ]
    Params = SendEmailParams

    async def gather(self, params: SendEmailParams, ctx: RunContext) -> OrchestrationData:
        sent = await ctx.fetch(deliver_email, to=params.to, subject=params.subject, body=params.body)
        if sent is None:
            return OrchestrationData()
        return OrchestrationData(tables={"sent": Table("Sent", ["id", "to", "subject", "body"], [[sent["id"], sent["to"], sent["subject"], sent["body"]]])})


class SearchEmailParams(BaseModel):
    query: str = Field(description="Words to look for in the messages' subjects and text.")
    sender: str | None = Field(None, description="Only messages from this person (a name or an email address).")
    folder: Literal["all", "inbox", "sent", "archive", "spam"] = Field("all", description="Which mail folder to search.")


class SearchEmail(Orchestration[SearchEmailParams]):
    name = "search_email"
    description = "Search the mailbox for email messages by words, sender or folder."
    examples = [
        "Find the email about the invoice",
        "Did Pat send me anything about the offsite?",
        "Look in my sent folder for the contract",
        "Search my inbox for flight confirmations",
    ]
    Params = SearchEmailParams

    async def gather(self, params: SearchEmailParams, ctx: RunContext) -> OrchestrationData:
        found = await ctx.fetch(find_messages, query=params.query, sender=params.sender, folder=params.folder) or []
        rows = [[m["id"], m["folder"], m["date"], m["from"], m["to"], m["subject"]] for m in found]
        return OrchestrationData(tables={"messages": Table("Messages", ["id", "folder", "date", "from", "to", "subject"], rows)},
                                 facts={"count": len(found)})


ORCHESTRATIONS = [ListEvents, CreateEvent, RescheduleEvent, CancelEvent, FindFreeSlot, SendEmail, SearchEmail]


def main() -> None:
    backend = "openai" if os.environ.get("OPENAI_API_KEY") else "local"
    agent = Agent(make_llm(backend, model="gpt-4o-mini" if backend == "openai" else None), orchestrations=ORCHESTRATIONS, tools=TOOLS)
    for question in sys.argv[1:] or ["What's on my calendar tomorrow?", "Find me 45 free minutes on Friday afternoon"]:
        reply = agent.chat(question)
        print(f"> {question}\n{reply.calls}\n{reply.text}\n")


if __name__ == "__main__":
    main()
