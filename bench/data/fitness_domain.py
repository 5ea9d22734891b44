"""A seventh domain, written blind from the README and measured once with the session's final code: a fitness tracker.

Seven orchestrations (logging a workout, calories burned, group classes, a goal, body weight,
a running route, the activity history) over a small built-in log (no network), registered with the
public API only (`Orchestration`).
`python -m bench routing --orchestrations bench/data/fitness_domain.py --cases bench/data/routing_fitness.jsonl --json`
measures how the embedded model routes it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from orchestrations import Orchestration, OrchestrationData, RunContext, Table

Activity = Literal["running", "cycling", "swimming", "walking", "rowing", "yoga"]
Day = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MET = {"running": 9.8, "cycling": 7.5, "swimming": 8.0, "walking": 3.5, "rowing": 7.0, "yoga": 2.5}
"""Metabolic equivalents: kcal per kg per hour."""
CLASSES = [
    ("Spin", "monday", "07:00", "Downtown"), ("Pilates", "monday", "18:30", "Riverside"),
    ("Yoga Flow", "tuesday", "08:00", "Downtown"), ("HIIT", "wednesday", "12:15", "Riverside"),
    ("Spin", "thursday", "19:00", "Riverside"), ("Zumba", "friday", "18:00", "Downtown"),
    ("Yoga Flow", "saturday", "10:00", "Riverside"), ("Boxing", "sunday", "11:00", "Downtown"),
]
"""(class, day, time, studio)."""
ROUTES = [("Hyde Park", 5.2, "flat"), ("Hyde Park", 10.1, "flat"), ("Richmond Park", 7.4, "hilly"),
          ("Thames Path", 12.0, "flat"), ("Hampstead Heath", 6.3, "hilly"), ("Regent's Park", 4.5, "flat")]
"""(area, km, terrain)."""
LOG: list[tuple[str, int, float | None]] = [("running", 32, 5.0), ("cycling", 60, 22.0), ("yoga", 45, None),
                                           ("swimming", 30, 1.2), ("running", 41, 7.5), ("walking", 55, 4.8)]
WEIGHTS: list[float] = [72.4, 72.1]
GOALS: dict[str, tuple[int, str]] = {}


class LogParams(BaseModel):
    activity: Activity = Field(description="What the user did")
    minutes: int = Field(description="How long the workout lasted, in minutes", ge=1, le=600)
    distance_km: float | None = Field(None, description="The distance covered, in kilometres", gt=0)


class LogWorkout(Orchestration[LogParams]):
    name = "log_workout"
    description = "Record a workout the user has done in their training log."
    examples = ["Log a 30 minute run", "I swam for 45 minutes today", "Record 90 minutes of cycling, 40 km"]
    Params = LogParams

    async def gather(self, params: LogParams, ctx: RunContext) -> OrchestrationData:
        LOG.append((params.activity, params.minutes, params.distance_km))
        return OrchestrationData(facts={"logged": params.activity, "minutes": params.minutes, "workouts_logged": len(LOG)})


class BurnParams(BaseModel):
    activity: Activity = Field(description="The kind of exercise")
    minutes: int = Field(description="How long, in minutes", ge=1, le=600)
    weight_kg: float = Field(70.0, description="The user's body weight in kilograms", gt=20, lt=300)


class CaloriesBurned(Orchestration[BurnParams]):
    name = "calories_burned"
    description = "Estimate the calories burned by an exercise of some length."
    examples = ["How many calories does an hour of rowing burn?", "Calories burned walking for 20 minutes", "What does 40 minutes of swimming burn if I weigh 80 kg?"]
    Params = BurnParams

    async def gather(self, params: BurnParams, ctx: RunContext) -> OrchestrationData:
        kcal = round(MET[params.activity] * params.weight_kg * params.minutes / 60)
        return OrchestrationData(facts={"activity": params.activity, "minutes": params.minutes, "kcal": kcal})


class ClassParams(BaseModel):
    class_name: str | None = Field(None, description="The kind of class, such as Spin or Pilates")
    day: Day | None = Field(None, description="Only classes on this day of the week")


class FindClasses(Orchestration[ClassParams]):
    name = "find_classes"
    description = "Find group fitness classes at the gym by kind of class or day of the week."
    examples = ["When is the next Pilates class?", "What classes are on Saturday?", "Is there a Spin class on Thursday?"]
    Params = ClassParams

    async def gather(self, params: ClassParams, ctx: RunContext) -> OrchestrationData:
        rows = [list(c) for c in CLASSES
                if (params.class_name is None or params.class_name.lower() in c[0].lower())
                and (params.day is None or c[1] == params.day)]
        return OrchestrationData(tables={"classes": Table("Classes", ["class", "day", "time", "studio"], rows)})


class GoalParams(BaseModel):
    metric: Literal["steps", "workouts", "active minutes", "kilometres"] = Field(description="What the goal counts")
    target: int = Field(description="The number to reach", ge=1)
    period: Literal["daily", "weekly", "monthly"] = Field("weekly", description="How often the goal resets")


class SetGoal(Orchestration[GoalParams]):
    name = "set_goal"
    description = "Set a fitness goal: a target number of steps, workouts, active minutes or kilometres per day, week or month."
    examples = ["Set a goal of 10000 steps a day", "I want to work out 4 times a week", "My goal is 100 kilometres this month"]
    Params = GoalParams

    async def gather(self, params: GoalParams, ctx: RunContext) -> OrchestrationData:
        GOALS[params.metric] = (params.target, params.period)
        return OrchestrationData(facts={"goal": f"{params.target} {params.metric} {params.period}"})


class WeightParams(BaseModel):
    kilograms: float = Field(description="The body weight to record, in kilograms", gt=20, lt=300)


class LogWeight(Orchestration[WeightParams]):
    name = "log_weight"
    description = "Record the user's body weight for today."
    examples = ["I weigh 74.5 kg today", "Log my weight: 68 kilograms", "Record weight 81.2"]
    Params = WeightParams

    async def gather(self, params: WeightParams, ctx: RunContext) -> OrchestrationData:
        WEIGHTS.append(params.kilograms)
        return OrchestrationData(facts={"today": params.kilograms, "change": round(params.kilograms - WEIGHTS[-2], 1)})


class RouteParams(BaseModel):
    area: str = Field(description="The park or area to run in")
    distance_km: float | None = Field(None, description="About how long the route should be, in kilometres", gt=0, le=50)


class PlanRoute(Orchestration[RouteParams]):
    name = "plan_route"
    description = "Suggest a running route in a park or area, optionally of about some distance."
    examples = ["Plan a 5 km run in Hyde Park", "Suggest a route around Richmond Park", "Where can I run 10k along the Thames Path?"]
    Params = RouteParams

    async def gather(self, params: RouteParams, ctx: RunContext) -> OrchestrationData:
        rows = [list(r) for r in ROUTES if params.area.lower() in r[0].lower()]
        if params.distance_km is not None:
            rows.sort(key=lambda r: abs(r[1] - params.distance_km))
        return OrchestrationData(tables={"routes": Table("Routes", ["area", "km", "terrain"], rows[:2])})


class HistoryParams(BaseModel):
    activity: Activity | None = Field(None, description="Only workouts of this kind")
    days: int = Field(7, description="How many days back to look", ge=1, le=365)


class ActivityHistory(Orchestration[HistoryParams]):
    name = "activity_history"
    description = "Summarise the user's logged workouts over the last days: how many, how long, how far."
    examples = ["How much did I train this week?", "Show my runs from the last 30 days", "My cycling history"]
    Params = HistoryParams

    async def gather(self, params: HistoryParams, ctx: RunContext) -> OrchestrationData:
        rows = [[a, m, d] for a, m, d in LOG if params.activity is None or a == params.activity]
        return OrchestrationData(tables={"workouts": Table("Workouts", ["activity", "minutes", "km"], rows)},
                                 facts={"days": params.days, "workouts": len(rows), "minutes": sum(r[1] for r in rows)})


ORCHESTRATIONS: list[type[Orchestration]] = [LogWorkout, CaloriesBurned, FindClasses, SetGoal, LogWeight, PlanRoute, ActivityHistory]
