"""A held-out user domain, written only with the public API: a public-library app with seven orchestrations.

    python -m bench routing --orchestrations bench/data/library_domain.py --cases bench/data/routing_library.jsonl --json

Search the catalogue, check a book's availability at a branch, place a hold, renew a loan, list the
member's loans, branch opening hours and reading suggestions by genre. The data is a small built-in
sample (no network); the member is the signed-in user.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from orchestrations import Orchestration, OrchestrationData, RunContext, Table
from tools import tool

# -- sample data ----------------------------------------------------------------------------
BOOKS = [  # title, author, genres, formats, audience
    ("Dune", "Frank Herbert", ["science fiction"], ["book", "ebook", "audiobook"], "adult"),
    ("Children of Dune", "Frank Herbert", ["science fiction"], ["book"], "adult"),
    ("Project Hail Mary", "Andy Weir", ["science fiction"], ["book", "ebook", "audiobook"], "adult"),
    ("The Hobbit", "J.R.R. Tolkien", ["fantasy"], ["book", "audiobook", "dvd"], "children"),
    ("Fourth Wing", "Rebecca Yarros", ["fantasy", "romance"], ["book", "ebook"], "adult"),
    ("Circe", "Madeline Miller", ["fantasy", "historical fiction"], ["book", "ebook"], "adult"),
    ("Piranesi", "Susanna Clarke", ["fantasy"], ["book", "ebook"], "adult"),
    ("The Midnight Library", "Matt Haig", ["literary fiction"], ["book", "ebook", "audiobook"], "adult"),
    ("Lessons in Chemistry", "Bonnie Garmus", ["literary fiction"], ["book", "audiobook"], "adult"),
    ("Demon Copperhead", "Barbara Kingsolver", ["literary fiction"], ["book"], "adult"),
    ("Never Let Me Go", "Kazuo Ishiguro", ["literary fiction", "science fiction"], ["book", "ebook"], "adult"),
    ("Klara and the Sun", "Kazuo Ishiguro", ["science fiction"], ["book", "ebook"], "adult"),
    ("Intermezzo", "Sally Rooney", ["literary fiction"], ["book", "ebook"], "adult"),
    ("Normal People", "Sally Rooney", ["literary fiction", "romance"], ["book", "dvd"], "adult"),
    ("Happy Place", "Emily Henry", ["romance"], ["book", "audiobook"], "adult"),
    ("The Thursday Murder Club", "Richard Osman", ["mystery"], ["book", "audiobook", "dvd"], "adult"),
    ("The Silent Patient", "Alex Michaelides", ["thriller", "mystery"], ["book", "ebook"], "adult"),
    ("Mexican Gothic", "Silvia Moreno-Garcia", ["horror"], ["book", "ebook"], "adult"),
    ("Educated", "Tara Westover", ["memoir"], ["book", "ebook", "audiobook"], "adult"),
    ("Becoming", "Michelle Obama", ["memoir"], ["book", "audiobook"], "adult"),
    ("Braiding Sweetgrass", "Robin Wall Kimmerer", ["nature"], ["book", "ebook"], "adult"),
    ("Kindred", "Octavia E. Butler", ["science fiction", "historical fiction"], ["book", "ebook"], "adult"),
    ("The Fifth Season", "N.K. Jemisin", ["fantasy"], ["book", "ebook"], "adult"),
    ("Wonder", "R.J. Palacio", ["children's fiction"], ["book", "dvd"], "children"),
    ("The Hunger Games", "Suzanne Collins", ["science fiction"], ["book", "ebook", "dvd"], "teen"),
]
BRANCHES = ["Central", "Eastside", "Northside", "Riverside", "Hillcrest", "Westgate"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
HOURS = {b: {d: ("closed" if (d == "sunday" and b in ("Northside", "Westgate")) or (d == "monday" and b == "Hillcrest")
                 else "12:00-17:00" if d == "sunday" else "10:00-17:00" if d == "saturday"
                 else "09:00-20:00" if b == "Central" else "09:30-18:00") for d in DAYS} for b in BRANCHES}
LOANS = [  # loan id, title, due date, renewals so far
    ["L-4471", "Piranesi", "2025-05-02", 0], ["L-4472", "Educated", "2025-04-28", 1],
    ["L-4480", "Circe", "2025-04-20", 0], ["L-4481", "The Midnight Library", "2025-05-09", 2],
]
TODAY = "2025-04-25"


def _book(title: str) -> tuple:
    key = title.strip().lower().removeprefix("the ")
    for b in BOOKS:
        if b[0].lower().removeprefix("the ") == key:
            return b
    raise ValueError(f"no title {title!r} in the catalogue sample")


def _branch(name: str) -> str:
    key = name.strip().lower().removesuffix(" library").removesuffix(" branch")
    for b in BRANCHES:
        if b.lower() == key:
            return b
    raise ValueError(f"no branch {name!r}: the branches are {', '.join(BRANCHES)}")


# -- atomic tools ---------------------------------------------------------------------------
@tool
def catalogue_search(text: str, fmt: str = "any") -> list[dict]:
    """Catalogue records whose title, author or genre contains the text.

    Args:
        text: words of a title, an author's name or a subject
        fmt: book, ebook, audiobook, dvd or any
    """
    words = text.lower().split()
    return [{"title": t, "author": a, "formats": f, "audience": aud} for t, a, g, f, aud in BOOKS
            if all(w in f"{t} {a} {' '.join(g)}".lower() for w in words) and (fmt == "any" or fmt in f)]


@tool
def shelf_copies(title: str) -> dict:
    """Copies of a title on the shelf at each branch (0 = all out on loan)."""
    b = _book(title)
    return {br: (len(b[0]) + i) % 3 for i, br in enumerate(BRANCHES)}


@tool
def hold_request(title: str, pickup_branch: str) -> dict:
    """Place a hold on a title for pickup at a branch; returns the queue position."""
    b = _book(title)
    return {"title": b[0], "pickup": _branch(pickup_branch), "queue_position": len(b[1]) % 4 + 1}


@tool
def loan_renewal(loan: str, weeks: int = 2) -> dict:
    """Renew one of the member's loans, found by loan id or title, for some weeks."""
    for row in LOANS:
        if loan.strip().lower() in (row[0].lower(), row[1].lower()):
            if row[3] >= 2:
                return {"loan": row[0], "title": row[1], "renewed": False, "reason": "renewal limit reached"}
            return {"loan": row[0], "title": row[1], "renewed": True, "weeks": weeks}
    raise ValueError(f"no loan {loan!r} on this card")


@tool
def member_loans() -> list[list]:
    """The signed-in member's current loans: [loan id, title, due date, renewals]."""
    return [list(r) for r in LOANS]


@tool
def opening_hours(branch: str) -> dict:
    """Opening hours of a branch, by day of the week."""
    return HOURS[_branch(branch)]


# -- orchestrations -------------------------------------------------------------------------
class SearchParams(BaseModel):
    query: str = Field(description="Title, author or subject to look for")
    format: Literal["any", "book", "ebook", "audiobook", "dvd"] = Field("any", description="Only this format")


class SearchCatalogue(Orchestration[SearchParams]):
    name = "search_catalogue"
    description = "Search the library catalogue by title, author or subject; optionally only ebooks, audiobooks or DVDs."
    examples = ["Do you have anything by Kazuo Ishiguro?", "Is there an audiobook of Becoming?",
                "Find books about beekeeping", "Search for The Silent Patient"]
    Params = SearchParams

    async def gather(self, params: SearchParams, ctx: RunContext) -> OrchestrationData:
        found = await ctx.fetch(catalogue_search, text=params.query, fmt=params.format) or []
        rows = [[r["title"], r["author"], ", ".join(r["formats"])] for r in found]
        return OrchestrationData(tables={"results": Table(f"Catalogue: {params.query}", ["title", "author", "formats"], rows)})


class AvailabilityParams(BaseModel):
    title: str = Field(description="The book's title")
    branch: str | None = Field(None, description="A branch; every branch if not given")


class CheckAvailability(Orchestration[AvailabilityParams]):
    name = "check_availability"
    description = "Whether a book is on the shelf right now, at one branch or at every branch."
    examples = ["Is Piranesi available at Riverside?", "Which branch has a copy of Wonder in?",
                "Can I pick up Kindred at Central today?"]
    Params = AvailabilityParams

    async def gather(self, params: AvailabilityParams, ctx: RunContext) -> OrchestrationData:
        copies = await ctx.fetch(shelf_copies, title=params.title) or {}
        wanted = _branch(params.branch) if params.branch else None
        rows = [[br, n] for br, n in copies.items() if wanted in (None, br)]
        return OrchestrationData(tables={"availability": Table(params.title, ["branch", "copies on shelf"], rows)})


class HoldParams(BaseModel):
    title: str = Field(description="The book's title")
    pickup_branch: str = Field("Central", description="Branch to collect it from")


class PlaceHold(Orchestration[HoldParams]):
    name = "place_hold"
    description = "Reserve (place a hold on) a book for the member, to collect at a branch when it comes in."
    examples = ["Put a hold on The Fifth Season", "Reserve Normal People for me, I'll collect it at Hillcrest",
                "I'd like to be on the waiting list for Fourth Wing"]
    Params = HoldParams

    async def gather(self, params: HoldParams, ctx: RunContext) -> OrchestrationData:
        hold = await ctx.fetch(hold_request, title=params.title, pickup_branch=params.pickup_branch) or {}
        rows = [[hold.get("title"), hold.get("pickup"), hold.get("queue_position")]]
        return OrchestrationData(tables={"hold": Table("Hold placed", ["title", "pickup", "queue position"], rows)})


class RenewParams(BaseModel):
    loan: str = Field(description="The loan id (as on the receipt) or the book's title")
    weeks: int = Field(2, description="How many weeks to extend, 1 to 4")


class RenewLoan(Orchestration[RenewParams]):
    name = "renew_loan"
    description = "Renew a book the member has on loan, by its loan id or title, to push the due date back."
    examples = ["Renew Piranesi", "Can I keep L-4472 for another 3 weeks?", "Extend my loan of Circe please"]
    Params = RenewParams

    async def gather(self, params: RenewParams, ctx: RunContext) -> OrchestrationData:
        r = await ctx.fetch(loan_renewal, loan=params.loan, weeks=params.weeks) or {}
        rows = [[r.get("loan"), r.get("title"), r.get("renewed"), r.get("weeks") or r.get("reason")]]
        return OrchestrationData(tables={"renewal": Table("Renewal", ["loan", "title", "renewed", "weeks / reason"], rows)})


class LoansParams(BaseModel):
    status: Literal["all", "overdue", "due_soon"] = Field("all", description="Which loans: all, overdue, or due within a week")


class ListLoans(Orchestration[LoansParams]):
    name = "list_loans"
    description = "List the books the member currently has checked out, with due dates; or only the overdue ones, or those due soon."
    examples = ["What do I have checked out?", "Are any of my books overdue?", "When are my books due back?"]
    Params = LoansParams

    async def gather(self, params: LoansParams, ctx: RunContext) -> OrchestrationData:
        loans = await ctx.fetch(member_loans) or []
        keep = {"all": lambda due: True, "overdue": lambda due: due < TODAY, "due_soon": lambda due: TODAY <= due <= "2025-05-02"}
        rows = [r for r in loans if keep[params.status](r[2])]
        return OrchestrationData(tables={"loans": Table(f"Loans ({params.status})", ["loan", "title", "due", "renewals"], rows)})


class HoursParams(BaseModel):
    branch: str = Field(description="The branch's name")
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] | None = Field(
        None, description="One day of the week; the whole week if not given")


class BranchHours(Orchestration[HoursParams]):
    name = "branch_hours"
    description = "Opening hours of a library branch, for the whole week or one day."
    examples = ["When is the Central library open?", "Is Northside open on Sunday?", "What time does Westgate close on Friday?"]
    Params = HoursParams

    async def gather(self, params: HoursParams, ctx: RunContext) -> OrchestrationData:
        hours = await ctx.fetch(opening_hours, branch=params.branch) or {}
        rows = [[d, h] for d, h in hours.items() if params.day in (None, d)]
        return OrchestrationData(tables={"hours": Table(f"{params.branch} hours", ["day", "hours"], rows)})


class RecommendParams(BaseModel):
    genres: list[str] = Field(description="Genres or kinds of books the reader likes")
    audience: Literal["adult", "teen", "children"] = Field("adult", description="Who the books are for")
    count: int = Field(5, description="How many suggestions")


class RecommendBooks(Orchestration[RecommendParams]):
    name = "recommend_books"
    description = "Suggest books to read in one or more genres, for adults, teens or children."
    examples = ["Recommend me a good thriller", "Any fantasy or science fiction for a teenager?",
                "Give me 3 memoirs worth reading", "Picture books for a 5 year old?"]
    Params = RecommendParams

    async def gather(self, params: RecommendParams, ctx: RunContext) -> OrchestrationData:
        found: list[list] = []
        for g in params.genres:
            hits = await ctx.fetch(catalogue_search, text=g) or []
            found += [[h["title"], h["author"], g] for h in hits
                      if h["audience"] == params.audience and not any(f[0] == h["title"] for f in found)]
        return OrchestrationData(tables={"suggestions": Table("Suggestions", ["title", "author", "genre"], found[: params.count])})


ORCHESTRATIONS: list[type[Orchestration]] = [SearchCatalogue, CheckAvailability, PlaceHold, RenewLoan, ListLoans, BranchHours, RecommendBooks]
TOOLS = [catalogue_search, shelf_copies, hold_request, loan_renewal, member_loans, opening_hours]
