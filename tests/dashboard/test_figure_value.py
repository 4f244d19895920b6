"""How one dashboard figure prints in its cell (``{% figure_value %}``)."""

from django.template import Context, Template

CELL = Template("{% load figures %}{% figure_value c %}")


def printed(**cell):
    return CELL.render(Context({"c": {"value": None, "url": None, **cell}}))


def test_a_figure_without_a_value_prints_a_dash():
    assert printed() == '<span class="muted">—</span>'


def test_a_figure_links_to_its_ledger_rows_with_the_query_escaped():
    html = printed(value="1,234", url="/delegation/powers/?town=370523101&derived_state=running")
    assert html == '<a href="/delegation/powers/?town=370523101&amp;derived_state=running">1,234</a>'


def test_a_figure_without_rows_behind_it_prints_its_value_escaped():
    assert printed(value="<b>12.5%</b>") == "&lt;b&gt;12.5%&lt;/b&gt;"
