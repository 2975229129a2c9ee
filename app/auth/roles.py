"""Who may do what: the four roles, in rank order.

The roles sit apart from the rest of app/auth because the store's review rules name them (which role may move a
claim from one status to another), while the rest of auth builds on the store.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    viewer = "viewer"
    analyst = "analyst"
    editor = "editor"
    admin = "admin"


ROLE_RANK = {Role.viewer: 0, Role.analyst: 1, Role.editor: 2, Role.admin: 3}


def role_at_least(role: str, needed: Role) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[needed]
