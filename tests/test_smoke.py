"""The two commands a newcomer runs first."""

from __future__ import annotations

import json


def test_week_on_empty_store_loads_bundled_data_with_one_notice(cli):
    result = cli("week", "--json")
    assert result.exit_code == 0
    notices = [line for line in result.stderr.splitlines() if line]
    assert len(notices) == 1 and "loaded the bundled Netflix data" in notices[0]
    data = json.loads(result.stdout)
    assert data["week_end"] == "2024-06-23"
    assert [lst["category"] for lst in data["lists"]] == [
        "Films (English)",
        "Films (Non-English)",
        "TV (English)",
        "TV (Non-English)",
    ]
    # second run: no notice, same data
    again = cli("week", "--json")
    assert again.stderr == "" and json.loads(again.stdout) == data
