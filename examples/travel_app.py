"""A second domain, written as a user would: a small travel assistant with six orchestrations.

    python examples/travel_app.py            # OpenAI if OPENAI_API_KEY is set, else the embedded model

Nothing in finagent knows about travel: the tools, orchestrations, descriptions and example
requests below are all there is, registered with the public API (`@tool`, `Orchestration`,
`Agent(orchestrations=..., tools=...)`). The data is a small built-in sample (no network).
`python -m bench routing --orchestrations examples/travel_app.py --cases bench/data/routing_travel.jsonl`
measures how the embedded model routes this domain.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, Field

from agent import Agent
from agent.llm import LLM
from orchestrations import Orchestration, OrchestrationData, RunContext, Table
from tools import tool

# -- sample data ----------------------------------------------------------------------------
CITIES = {
    "lisbon": ("Portugal", "EUR", 19, 110), "porto": ("Portugal", "EUR", 17, 95), "madrid": ("Spain", "EUR", 21, 120),
    "barcelona": ("Spain", "EUR", 20, 140), "paris": ("France", "EUR", 14, 180), "rome": ("Italy", "EUR", 18, 150),
    "florence": ("Italy", "EUR", 17, 140), "venice": ("Italy", "EUR", 15, 190), "athens": ("Greece", "EUR", 22, 100),
    "berlin": ("Germany", "EUR", 11, 120), "london": ("United Kingdom", "GBP", 12, 200), "oslo": ("Norway", "NOK", 6, 170),
    "bergen": ("Norway", "NOK", 7, 150), "tokyo": ("Japan", "JPY", 16, 160), "kyoto": ("Japan", "JPY", 15, 140),
    "new york": ("United States", "USD", 13, 250), "boston": ("United States", "USD", 11, 220),
    "chicago": ("United States", "USD", 10, 180), "denver": ("United States", "USD", 9, 150),
    "miami": ("United States", "USD", 26, 210), "portland": ("United States", "USD", 12, 160),
    "mexico city": ("Mexico", "MXN", 18, 90), "rio de janeiro": ("Brazil", "BRL", 25, 110),
    "sydney": ("Australia", "AUD", 19, 190), "cape town": ("South Africa", "ZAR", 20, 100),
}
"""city -> (country, currency, mean temperature °C, hotel price per night in USD)."""
USD_RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 151.3, "NOK": 10.7, "MXN": 17.1, "BRL": 4.9, "AUD": 1.52, "ZAR": 18.4, "CHF": 0.89, "CAD": 1.36}
VISA_FREE = {"Japan", "United Kingdom", "Mexico", "Brazil", "South Africa", "Norway"}
ACTIVITIES = {"museums": "the city museum and the modern art gallery", "food": "the central market and a street-food tour",
              "nightlife": "the old-town bars", "outdoors": "the riverside walk and a day hike", "family": "the zoo and the aquarium"}


def _city(name: str) -> tuple[str, str, int, int]:
    found = CITIES.get(name.strip().lower())
    if found is None:
        raise ValueError(f"no data for {name!r}: the sample knows {', '.join(c.title() for c in CITIES)}")
    return found


# -- atomic tools ---------------------------------------------------------------------------
@tool
def city_weather(city: str, days: int = 3) -> list[dict]:
    """Daily weather forecast for a city.

    Args:
        city: the city's name
        days: how many days ahead
    """
    _, _, mean, _ = _city(city)
    return [{"day": d + 1, "high_c": mean + 4 - d % 3, "low_c": mean - 5 + d % 2, "rain_mm": (d * 7) % 5} for d in range(max(1, min(days, 14)))]


@tool
def hotel_offers(city: str, nights: int = 1) -> list[dict]:
    """Hotel offers in a city for a stay of some nights.

    Args:
        city: the city's name
        nights: length of the stay
    """
    _, _, _, price = _city(city)
    return [{"hotel": f"{city.title()} {kind}", "per_night_usd": round(price * f), "total_usd": round(price * f * nights)}
            for kind, f in (("Central", 1.3), ("Garden Inn", 1.0), ("Hostel", 0.4))]


@tool
def flight_offers(origin: str, destination: str, passengers: int = 1) -> list[dict]:
    """Flight offers between two cities.

    Args:
        origin: city of departure
        destination: city of arrival
        passengers: number of travellers
    """
    o, d = _city(origin), _city(destination)
    base = 90 if o[0] == d[0] else 420
    return [{"airline": a, "stops": s, "price_usd": (base + k * 35) * passengers} for k, (a, s) in enumerate((("SkyJet", 0), ("AirLow", 1)))]


@tool
def exchange_rate(from_currency: str, to_currency: str) -> float:
    """How many units of `to_currency` one unit of `from_currency` buys.

    Args:
        from_currency: ISO currency code
        to_currency: ISO currency code
    """
    a, b = from_currency.strip().upper(), to_currency.strip().upper()
    if a not in USD_RATES or b not in USD_RATES:
        raise ValueError(f"no rate for {a}/{b}: the sample has {', '.join(USD_RATES)}")
    return USD_RATES[b] / USD_RATES[a]


@tool
def visa_rule(passport_country: str, destination_country: str) -> str:
    """Whether a holder of one country's passport needs a visa to visit another country (sample rules)."""
    if passport_country.strip().lower() == destination_country.strip().lower():
        return "no visa: it is the traveller's own country"
    free = destination_country.strip().title() in VISA_FREE
    return "no visa for stays up to 90 days" if free else "a visa or electronic travel authorisation is required"


# -- orchestrations -------------------------------------------------------------------------
class WeatherParams(BaseModel):
    city: str = Field(description="The city, e.g. Paris")
    days: int = Field(3, description="How many days ahead, 1 to 14")


class WeatherForecast(Orchestration[WeatherParams]):
    name = "weather_forecast"
    description = "The weather forecast for a city over the next days: temperatures and rain."
    examples = ["What's the weather going to be like in Lisbon?", "Will it rain in London this week?",
                "Forecast for Tokyo for the next 5 days", "How warm is it in Athens right now?"]
    Params = WeatherParams

    async def gather(self, params: WeatherParams, ctx: RunContext) -> OrchestrationData:
        days = await ctx.fetch(city_weather, city=params.city, days=params.days) or []
        rows = [[d["day"], d["high_c"], d["low_c"], d["rain_mm"]] for d in days]
        return OrchestrationData(tables={"forecast": Table(f"Weather in {params.city}", ["day", "high °C", "low °C", "rain mm"], rows)})


class HotelParams(BaseModel):
    city: str = Field(description="The city to stay in")
    nights: int = Field(1, description="Number of nights")


class HotelSearch(Orchestration[HotelParams]):
    name = "hotel_search"
    description = "Find hotels in a city for a stay of a few nights, with prices per night and in total."
    examples = ["Find me a hotel in Barcelona for 3 nights", "Where can I stay in Kyoto?",
                "Cheap places to sleep in Berlin for a week", "Book a room in Madrid for two nights"]
    Params = HotelParams

    async def gather(self, params: HotelParams, ctx: RunContext) -> OrchestrationData:
        offers = await ctx.fetch(hotel_offers, city=params.city, nights=params.nights) or []
        rows = [[o["hotel"], o["per_night_usd"], o["total_usd"]] for o in offers]
        return OrchestrationData(tables={"hotels": Table(f"Hotels in {params.city}, {params.nights} nights", ["hotel", "per night $", "total $"], rows)})


class FlightParams(BaseModel):
    origin: str = Field(description="City of departure")
    destination: str = Field(description="City of arrival")
    passengers: int = Field(1, description="Number of travellers")


class FlightSearch(Orchestration[FlightParams]):
    name = "flight_search"
    description = "Search flights from one city to another, with airlines, stops and prices."
    examples = ["Flights from Boston to Denver", "How much is a flight from Madrid to Athens for 2 people?",
                "I need to fly from Chicago to Miami", "Cheapest way to fly London to Oslo"]
    Params = FlightParams

    async def gather(self, params: FlightParams, ctx: RunContext) -> OrchestrationData:
        offers = await ctx.fetch(flight_offers, origin=params.origin, destination=params.destination, passengers=params.passengers) or []
        rows = [[o["airline"], o["stops"], o["price_usd"]] for o in offers]
        return OrchestrationData(tables={"flights": Table(f"{params.origin} to {params.destination}", ["airline", "stops", "price $"], rows)})


class CurrencyParams(BaseModel):
    amount: float = Field(description="The amount of money to convert")
    from_currency: str = Field(description="Currency of the amount, an ISO code like USD")
    to_currency: str = Field(description="Currency to convert into, an ISO code like EUR")


class CurrencyConversion(Orchestration[CurrencyParams]):
    name = "currency_conversion"
    description = "Convert an amount of money from one currency into another at today's rate."
    examples = ["How much is 200 USD in EUR?", "Convert 50 GBP to JPY", "What are 1000 NOK worth in dollars (USD)?",
                "Exchange 75 EUR into CHF"]
    Params = CurrencyParams

    async def gather(self, params: CurrencyParams, ctx: RunContext) -> OrchestrationData:
        rate = await ctx.fetch(exchange_rate, from_currency=params.from_currency, to_currency=params.to_currency)
        rows = [[params.amount, params.from_currency, rate, round(params.amount * rate, 2) if rate else None, params.to_currency]]
        return OrchestrationData(tables={"conversion": Table("Conversion", ["amount", "from", "rate", "converted", "to"], rows)})


class VisaParams(BaseModel):
    passport_country: str = Field(description="The country that issued the traveller's passport")
    destination_country: str = Field(description="The country to visit")


class VisaRequirements(Orchestration[VisaParams]):
    name = "visa_requirements"
    description = "Whether a traveller needs a visa to enter a country, given the passport they hold."
    examples = ["Do I need a visa for Japan with a Canadian passport?", "Visa rules for Indian citizens visiting Brazil",
                "Can a German passport holder enter Mexico without a visa?", "What documents do I need to travel to Australia as a French citizen?"]
    Params = VisaParams

    async def gather(self, params: VisaParams, ctx: RunContext) -> OrchestrationData:
        rule = await ctx.fetch(visa_rule, passport_country=params.passport_country, destination_country=params.destination_country)
        rows = [[params.passport_country, params.destination_country, rule]]
        return OrchestrationData(tables={"visa": Table("Visa", ["passport", "destination", "rule"], rows)})


class ActivityParams(BaseModel):
    city: str = Field(description="The city to visit")
    category: Literal["museums", "food", "nightlife", "outdoors", "family"] | None = Field(None, description="Kind of activity")


class ThingsToDo(Orchestration[ActivityParams]):
    name = "things_to_do"
    description = "Suggest sights and activities in a city: museums, food, nightlife, outdoors or family outings."
    examples = ["What should I see in Rome?", "Best museums in Paris", "Things to do with kids in Sydney",
                "Where to eat in Mexico City?", "Any good hikes near Cape Town?"]
    Params = ActivityParams

    async def gather(self, params: ActivityParams, ctx: RunContext) -> OrchestrationData:
        kinds = [params.category] if params.category else list(ACTIVITIES)
        rows = [[params.city, k, ACTIVITIES[k]] for k in kinds]
        return OrchestrationData(tables={"activities": Table(f"In {params.city}", ["city", "kind", "suggestion"], rows)})


ORCHESTRATIONS: list[type[Orchestration]] = [WeatherForecast, HotelSearch, FlightSearch, CurrencyConversion, VisaRequirements, ThingsToDo]
TOOLS = [city_weather, hotel_offers, flight_offers, exchange_rate, visa_rule]
REQUESTS = ["What's the weather in Oslo and Bergen?", "Find a hotel in Rome for 3 nights", "And in Florence?"]
"""Three requests tried in `main`: several values, one call, and a follow-up of the one before."""


def default_llm() -> LLM:
    from agent import make_llm

    return make_llm("openai") if os.environ.get("OPENAI_API_KEY") else make_llm("local")


def build_agent(llm: LLM | None = None) -> Agent:
    """The travel agent: only this module's orchestrations and tools, no finance grounder."""
    return Agent(llm or default_llm(), orchestrations=ORCHESTRATIONS, tools=TOOLS)


def main(llm: LLM | None = None) -> list[dict]:
    agent = build_agent(llm)
    session = agent.new_session()
    out = []
    for question in REQUESTS:
        reply = agent.chat(question, session)
        print("you>", question)
        print("  calls:", reply.calls)
        for name, table in reply.tables.items():
            print(" ", name, table["columns"], table["rows"])
        print("  answer:", reply.text[:300])
        out.append({"question": question, "calls": reply.calls, "tables": reply.tables, "answer": reply.text})
    return out


if __name__ == "__main__":
    main()
