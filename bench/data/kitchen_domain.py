"""A sixth domain, written blind from the README and measured before any change: a kitchen assistant.

Seven orchestrations (recipes, unit conversion, nutrition, scaling a recipe, a shopping list, a wine
pairing, a cooking timer) over a small built-in cookbook (no network), registered with the public
API only (`Orchestration`).
`python -m bench routing --orchestrations bench/data/kitchen_domain.py --cases bench/data/routing_kitchen.jsonl --json`
measures how the embedded model routes it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from orchestrations import Orchestration, OrchestrationData, RunContext, Table

RECIPES = [
    ("Spaghetti Carbonara", "italian", 25, 4, "spaghetti, eggs, pecorino, guanciale"),
    ("Margherita Pizza", "italian", 40, 2, "flour, tomatoes, mozzarella, basil"),
    ("Chicken Tikka Masala", "indian", 50, 4, "chicken, yogurt, tomatoes, cream, garam masala"),
    ("Chana Masala", "indian", 35, 4, "chickpeas, onions, tomatoes, ginger"),
    ("Beef Tacos", "mexican", 20, 3, "beef, tortillas, onions, cheese"),
    ("Guacamole", "mexican", 10, 4, "avocado, lime, onions, coriander"),
    ("Pad Thai", "thai", 30, 2, "rice noodles, eggs, shrimp, peanuts"),
    ("Green Curry", "thai", 40, 4, "chicken, coconut milk, green curry paste, basil"),
    ("Shakshuka", "middle eastern", 25, 2, "eggs, tomatoes, peppers, cumin"),
    ("Banana Bread", "american", 70, 8, "bananas, flour, butter, sugar, eggs"),
]
"""(name, cuisine, minutes, servings, ingredients)."""
NUTRITION = {"avocado": (160, 2, 15), "egg": (155, 13, 11), "banana": (89, 1, 0.3), "rice": (130, 2.7, 0.3),
             "chicken breast": (165, 31, 3.6), "oats": (389, 17, 7), "salmon": (208, 20, 13), "almonds": (579, 21, 50)}
"""food -> (kcal, protein g, fat g) per 100 g."""
GRAMS = {"grams": 1.0, "kilograms": 1000.0, "ounces": 28.35, "pounds": 453.6}
MILLILITRES = {"millilitres": 1.0, "litres": 1000.0, "cups": 240.0, "tablespoons": 15.0, "teaspoons": 5.0}
SHOPPING: list[str] = []

Cuisine = Literal["italian", "indian", "mexican", "thai", "middle eastern", "american"]
Unit = Literal["grams", "kilograms", "ounces", "pounds", "cups", "tablespoons", "teaspoons", "millilitres", "litres"]


def _recipes(rows: list[tuple[str, str, int, int, str]]) -> Table:
    return Table("Recipes", ["name", "cuisine", "minutes", "servings", "ingredients"], [list(r) for r in rows])


class FindParams(BaseModel):
    ingredient: str | None = Field(None, description="An ingredient the recipe must use")
    cuisine: Cuisine | None = Field(None, description="Only recipes of this cuisine")
    max_minutes: int | None = Field(None, description="Only recipes ready within this many minutes", ge=5, le=300)


class FindRecipes(Orchestration[FindParams]):
    name = "find_recipes"
    description = "Find recipes by an ingredient, a cuisine or how long they take to make."
    examples = ["What can I cook with chickpeas?", "Find me a Thai recipe", "Any Italian dishes ready in under 30 minutes?", "Recipes with eggs"]
    Params = FindParams

    async def gather(self, params: FindParams, ctx: RunContext) -> OrchestrationData:
        rows = [r for r in RECIPES
                if (params.ingredient is None or params.ingredient.lower().rstrip("s") in r[4])
                and (params.cuisine is None or r[1] == params.cuisine)
                and (params.max_minutes is None or r[2] <= params.max_minutes)]
        return OrchestrationData(tables={"recipes": _recipes(rows)})


class ConvertParams(BaseModel):
    amount: float = Field(description="How much, in the unit to convert from", gt=0)
    from_unit: Unit = Field(description="The unit the amount is in")
    to_unit: Unit = Field(description="The unit wanted")


class ConvertUnits(Orchestration[ConvertParams]):
    name = "convert_units"
    description = "Convert a cooking quantity from one unit to another (weights or volumes)."
    examples = ["How many grams is 8 ounces?", "Convert 2 cups to millilitres", "3 tablespoons in teaspoons"]
    Params = ConvertParams

    async def gather(self, params: ConvertParams, ctx: RunContext) -> OrchestrationData:
        for table in (GRAMS, MILLILITRES):
            if params.from_unit in table and params.to_unit in table:
                result = round(params.amount * table[params.from_unit] / table[params.to_unit], 2)
                return OrchestrationData(facts={"amount": params.amount, "from": params.from_unit, "result": result, "to": params.to_unit})
        return OrchestrationData(facts={"error": f"cannot convert {params.from_unit} to {params.to_unit} (a weight and a volume)"})


class NutritionParams(BaseModel):
    food: str = Field(description="The food to look up")
    grams: int = Field(100, description="The portion in grams", ge=1, le=5000)


class NutritionFacts(Orchestration[NutritionParams]):
    name = "nutrition_facts"
    description = "Calories, protein and fat in a portion of a food."
    examples = ["How many calories in an avocado?", "Nutrition facts for 200 grams of salmon", "How much protein is in oats?"]
    Params = NutritionParams

    async def gather(self, params: NutritionParams, ctx: RunContext) -> OrchestrationData:
        key = params.food.lower().rstrip("s")
        kcal, protein, fat = NUTRITION.get(key, NUTRITION.get(params.food.lower(), (0, 0, 0)))
        k = params.grams / 100
        rows = [[params.food, params.grams, round(kcal * k), round(protein * k, 1), round(fat * k, 1)]]
        return OrchestrationData(tables={"nutrition": Table("Nutrition", ["food", "grams", "kcal", "protein_g", "fat_g"], rows)})


class ScaleParams(BaseModel):
    recipe: str = Field(description="The recipe's name")
    servings: int = Field(description="How many people to cook for", ge=1, le=50)


class ScaleRecipe(Orchestration[ScaleParams]):
    name = "scale_recipe"
    description = "Adjust a recipe's quantities to serve a different number of people."
    examples = ["Scale the Banana Bread recipe for 12 people", "Make Pad Thai for 6", "I need Guacamole for 10 servings"]
    Params = ScaleParams

    async def gather(self, params: ScaleParams, ctx: RunContext) -> OrchestrationData:
        rows = [r for r in RECIPES if r[0].lower() == params.recipe.lower()]
        factor = round(params.servings / rows[0][3], 2) if rows else None
        return OrchestrationData(tables={"recipe": _recipes(rows)}, facts={"servings": params.servings, "multiply_by": factor})


class ShoppingParams(BaseModel):
    items: list[str] = Field(description="The things to buy, one per item")


class AddToShoppingList(Orchestration[ShoppingParams]):
    name = "add_to_shopping_list"
    description = "Put items on the user's shopping list."
    examples = ["Add milk to my shopping list", "Put eggs, butter and flour on the list", "I need to buy limes"]
    Params = ShoppingParams

    async def gather(self, params: ShoppingParams, ctx: RunContext) -> OrchestrationData:
        SHOPPING.extend(params.items)
        return OrchestrationData(facts={"added": len(params.items), "on_the_list": len(SHOPPING)})


class WineParams(BaseModel):
    dish: str = Field(description="The dish to pair a wine with")
    budget: Literal["low", "medium", "high"] = Field("medium", description="How much to spend")


class WinePairing(Orchestration[WineParams]):
    name = "wine_pairing"
    description = "Suggest a wine that goes with a dish."
    examples = ["What wine goes with steak?", "Suggest a cheap wine for Pad Thai", "Which wine should I serve with salmon?"]
    Params = WineParams

    async def gather(self, params: WineParams, ctx: RunContext) -> OrchestrationData:
        red = any(w in params.dish.lower() for w in ("beef", "steak", "lamb", "taco", "pizza", "carbonara"))
        return OrchestrationData(facts={"dish": params.dish, "style": "a dry red" if red else "a crisp white", "budget": params.budget})


class TimerParams(BaseModel):
    minutes: int = Field(description="How long the timer runs, in minutes", ge=1, le=600)
    label: str | None = Field(None, description="What the timer is for")


class StartTimer(Orchestration[TimerParams]):
    name = "start_timer"
    description = "Start a kitchen timer that rings after some minutes."
    examples = ["Set a timer for 10 minutes", "Start a 25 minute timer for the pasta", "Remind me in 45 minutes to take the bread out"]
    Params = TimerParams

    async def gather(self, params: TimerParams, ctx: RunContext) -> OrchestrationData:
        return OrchestrationData(facts={"rings_in_minutes": params.minutes, "label": params.label or "timer"})


ORCHESTRATIONS: list[type[Orchestration]] = [FindRecipes, ConvertUnits, NutritionFacts, ScaleRecipe, AddToShoppingList, WinePairing, StartTimer]
