"""The axe-core check itself: it runs under the site's CSP and fails loudly and readably."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


def test_axe_check_fails_with_rule_impact_target_and_help(page):
    page.goto("/accessibilite")
    # An input without a label, as a careless template change would add.
    page.evaluate(
        """() => {
            const input = document.createElement("input");
            input.id = "unlabelled";
            document.querySelector("main").append(input);
        }"""
    )

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_no_axe_violations(page)

    report = str(failure.value)
    assert "1 WCAG 2.1 A/AA violation(s)" in report
    assert "- label (critical): Form elements must have labels" in report
    assert "at #unlabelled" in report
