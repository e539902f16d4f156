"""What an editor session must show, whichever editor drove it (tests/editors/*_check.*)."""

from __future__ import annotations

from pathlib import Path

from .conftest import SLASH, expected_fixed_text, fixture_lines


def check_session(result: dict, description: Path, line_key: str) -> None:
    failed = [s for s in result["steps"] if not s["ok"]]
    assert result["ok"], f"{result.get('error')}; failed steps: {failed}"

    def found(diags: list[dict]) -> list[tuple[str, int]]:
        return sorted((d["code"], d[line_key]) for d in diags)

    slash_lines = fixture_lines("url: https://")
    operation_line = fixture_lines("get:")
    assert len(slash_lines) == 2 and len(operation_line) == 1
    assert found(result["initial"]) == sorted(
        [(SLASH, slash_lines[0]), (SLASH, slash_lines[1]), ("operation-description", operation_line[0])])
    # the server advertises code actions: the quick fix and the fix-all below were the server's own
    assert result["code_actions"], "the server advertised no codeActionProvider"
    assert result["quickfix_title"]
    # the quick fix fixed the finding it was asked for, and only that one
    assert found(result["after_quickfix"]) == sorted([(SLASH, slash_lines[1]), ("operation-description", operation_line[0])])
    # saving ran the server's fix-all: the other trailing slash went too, the unfixable finding stays
    assert found(result["after_save"]) == [("operation-description", operation_line[0])]
    assert description.read_text(encoding="utf-8") == expected_fixed_text()
    assert result["modified_after_save"] is False

