"""An answer's grounding: what data an answer may use, how it is requested, how it is checked.

- `figures`: find the figures written in a text and trace them to the data (`DataFigures`);
- `points`: each figure of the data with what it measures (subject, measure, period);
- `check`: the answer check for any backend: traced, attributed, no unstated arithmetic, no repeats;
- `clauses`: the clauses an answer may be built from (clause answer mode);
- `request`: the analysis request (findings, compact tables or clauses; allowed figures);
- `verify`: the check after every answer, and the optional rewrite.
"""

from agent.grounding.check import PROBLEMS, FigureCheck, check_figures
from agent.grounding.figures import DataFigures, Figure, allowed_figures, data_figures, find_figures
from agent.grounding.points import DataPoint, data_points

__all__ = [
    "FigureCheck", "check_figures", "PROBLEMS", "DataFigures", "Figure", "allowed_figures", "data_figures", "find_figures",
    "DataPoint", "data_points",
]
