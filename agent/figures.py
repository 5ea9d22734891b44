"""Kept for imports written before `agent.grounding`: the figures check lives there now."""

from agent.grounding import DataFigures, Figure, FigureCheck, allowed_figures, check_figures, data_figures, find_figures

__all__ = ["FigureCheck", "Figure", "DataFigures", "find_figures", "check_figures", "data_figures", "allowed_figures"]
