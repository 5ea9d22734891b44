"""The seven financial orchestrations (importing this package registers them)."""

from .company import CompanyComparativeAnalysis, CompanyCompetitiveAnalysis, StrategicInvestmentAnalysis
from .health import FinancialHealthAssessment
from .portfolio import PortfolioRecommendation
from .sector import MarketTrendPrediction, SectorAnalysis

FINANCE_ORCHESTRATIONS = (
    SectorAnalysis, CompanyComparativeAnalysis, FinancialHealthAssessment, PortfolioRecommendation,
    StrategicInvestmentAnalysis, MarketTrendPrediction, CompanyCompetitiveAnalysis,
)

__all__ = [c.__name__ for c in FINANCE_ORCHESTRATIONS] + ["FINANCE_ORCHESTRATIONS"]
