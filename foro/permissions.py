"""The only place that answers "may this user do this here?".

Every rule is a small ``can_*`` function of the user (possibly anonymous) and the object; views,
templates, services and socket handlers all call these. ``None`` or an anonymous user stands for a
visitor who has not logged in.
"""

from foro.models import Organism, Role, Space, SpaceState, User


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and not user.is_deleted


def is_admin(user) -> bool:
    return _active(user) and user.role is Role.ADMIN


def is_official_of(user, organism_id: int | None) -> bool:
    return (
        _active(user)
        and user.role is Role.OFFICIAL
        and organism_id is not None
        and user.organism_id == organism_id
    )


def is_space_moderator(user, space: Space) -> bool:
    return _active(user) and user.role is not Role.CITIZEN and any(m.id == user.id for m in space.moderators)


def _is_organism_staff(user, organism_id: int | None) -> bool:
    return is_admin(user) or is_official_of(user, organism_id)


def can_manage_reference_data(user) -> bool:
    """Organisms, territories, target groups and cycles."""
    return is_admin(user)


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_grant_role(actor, target: User, role: Role, organism: Organism | None) -> bool:
    """Admins grant roles to others; an official always acts for exactly one organism."""
    if not is_admin(actor) or target.is_deleted or actor.id == target.id:
        return False
    return (role is Role.OFFICIAL) == (organism is not None)


def can_edit_plan(user, organism_id: int) -> bool:
    return _is_organism_staff(user, organism_id)


def can_create_space(user, organism_id: int) -> bool:
    return _is_organism_staff(user, organism_id)


def can_see_drafts_of(user, organism_id: int) -> bool:
    return _is_organism_staff(user, organism_id)


def can_edit_space(user, space: Space) -> bool:
    """Officials of the organism edit a space's envelope until it closes; after that it is a record."""
    return _is_organism_staff(user, space.organism_id) and space.state in (
        SpaceState.DRAFT,
        SpaceState.ANNOUNCED,
        SpaceState.OPEN,
    )


def can_view_space(user, space: Space) -> bool:
    if space.state is not SpaceState.DRAFT:
        return True
    return _is_organism_staff(user, space.organism_id) or is_space_moderator(user, space)


# Who may make each move of the lifecycle: the organism's staff always; the space's moderators for the
# moves that run the exercise, never for announcing it or giving the institutional response.
_MODERATOR_MOVES = {SpaceState.OPEN, SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED}


def can_move_space_to(user, space: Space, target: SpaceState) -> bool:
    if _is_organism_staff(user, space.organism_id):
        return True
    return target in _MODERATOR_MOVES and is_space_moderator(user, space)


def can_download_own_data(user) -> bool:
    return _active(user)
