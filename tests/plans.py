"""Reading PostgreSQL's JSON plans in tests that assert how a statement reads its tables."""


def plan_nodes(node, inner=False):
    """(node, whether it lies on the inner side of a nested loop) for every node of a JSON plan."""
    yield node, inner
    for i, child in enumerate(node.get("Plans", [])):
        yield from plan_nodes(child, inner or (node["Node Type"] == "Nested Loop" and i == 1))
