"""`--as-of DATE` on the CLI: the data step reads the snapshot as of that date; a bad date is one line."""

from __future__ import annotations

import json

import pytest

from agent.cli import main


def test_tool_reads_the_data_as_of_the_date_given(capsys):
    assert main(["tool", "get_stock_price", '{"symbol": "AAPL"}', "--as-of", "2022-12-30"]) == 0
    quote = json.loads(capsys.readouterr().out)
    assert quote["as_of"] == "2022-12-30" and quote["eps_fiscal_date"] == "2022-09-30"
    assert main(["tool", "financial_health_assessment", '{"symbol": "JPM"}', "--as-of", "2024-12-31"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["facts"]["as_of"] == "2024-12-31" and data["tables"]["health"]["columns"][-1] == "2024-12-31"
    assert main(["tool", "get_stock_price", '{"symbol": "AAPL"}']) == 0  # no flag: the latest date with prices
    assert json.loads(capsys.readouterr().out)["as_of"] == "2023-10-27"


def test_a_bad_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["ask", "How is AAPL?", "--as-of", "yesterday"])
    assert exit_.value.code == 2 and "is not a date written YYYY-MM-DD" in capsys.readouterr().err
