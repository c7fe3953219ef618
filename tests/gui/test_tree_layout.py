"""Leaf-order layout: leaves take consecutive rows in the given order, a parent sits on its first
child's row, and no two nodes of one depth share a row."""

from __future__ import annotations

import random

from gui.widgets.tree_layout import children_map, leaf_order_rows

#        0
#      /   \
#     1     2
#    / \     \
#   3   4     5
#            / \
#           6   7
PARENTS = [-1, 0, 0, 1, 1, 2, 5, 5]


def _depths(parents: list[int]) -> list[int]:
    depth = [0] * len(parents)
    for i, p in enumerate(parents):
        depth[i] = 0 if p < 0 else depth[p] + 1
    return depth


def test_children_map():
    assert children_map(PARENTS) == {
        0: [1, 2],
        1: [3, 4],
        2: [5],
        3: [],
        4: [],
        5: [6, 7],
        6: [],
        7: [],
    }


def test_rows_in_id_order():
    assert leaf_order_rows(PARENTS, order=lambda n: n) == {
        3: 0,
        4: 1,
        1: 0,
        6: 2,
        7: 3,
        5: 2,
        2: 2,
        0: 0,
    }


def test_order_puts_a_chosen_branch_on_top():
    rows = leaf_order_rows(PARENTS, order=lambda n: -n)  # reversed: 2 before 1, 7 before 6
    assert rows[0] == rows[2] == rows[5] == rows[7] == 0
    assert (rows[6], rows[4], rows[3]) == (1, 2, 3)


def test_hidden_subtrees_are_left_out():
    rows = leaf_order_rows(PARENTS, order=lambda n: n, visible=lambda n: n != 5)
    assert set(rows) == {0, 1, 2, 3, 4}
    assert rows[2] == 2  # now a leaf itself


def test_random_trees_never_share_a_row_within_a_depth():
    rng = random.Random(3)
    for _ in range(50):
        parents = [-1] + [rng.randrange(i) for i in range(1, 120)]
        keys = {i: rng.random() for i in range(len(parents))}
        rows = leaf_order_rows(parents, order=keys.__getitem__)
        depth = _depths(parents)
        seen = set()
        for node, row in rows.items():
            assert (depth[node], row) not in seen
            seen.add((depth[node], row))
        kids = children_map(parents)
        for node, cs in kids.items():
            if cs:
                assert rows[node] == rows[min(cs, key=keys.__getitem__)]
        leaves = sorted(rows[n] for n, cs in kids.items() if not cs)
        assert leaves == list(range(len(leaves)))
