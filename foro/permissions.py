"""The only place that answers "may this user do this here?".

Every rule is a small ``can_*`` function of the user (possibly anonymous) and the object; views,
templates, services and socket handlers all call these. ``None`` or an anonymous user stands for a
visitor who has not logged in.
"""

from foro.models import Organism, PostStatus, Role, Space, SpaceState, User


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


# --- Forums --------------------------------------------------------------------------------------

# How long an author may still edit a contribution after posting it.
EDIT_WINDOW_SECONDS = 15 * 60


def can_configure_forum(user, space: Space) -> bool:
    """Topic, context, axes, rules and moderation settings: the organism's staff, until the space closes."""
    return can_edit_space(user, space)


def can_moderate(user, space: Space) -> bool:
    """The space's assigned moderators, and admins."""
    return is_admin(user) or is_space_moderator(user, space)


def can_contribute(user, space: Space, *, suspended: bool) -> bool:
    """Logged-in people who are not suspended from the space, while it is open."""
    return _active(user) and space.state is SpaceState.OPEN and not suspended


def can_edit_post(user, post, space: Space, now) -> bool:
    """The author, within the edit window, while the space is open and the post is not hidden or withdrawn."""
    return (
        _active(user)
        and post.author_id == user.id
        and space.state is SpaceState.OPEN
        and post.status in (PostStatus.PUBLISHED, PostStatus.PENDING)
        and (now - post.created_at).total_seconds() <= EDIT_WINDOW_SECONDS
    )


def can_withdraw_post(user, post) -> bool:
    return _active(user) and post.author_id == user.id and post.status is not PostStatus.WITHDRAWN


def can_see_post(user, post, space: Space) -> bool:
    """Published and withdrawn posts (the latter as a placeholder) are public; pending, flagged and
    hidden ones only for their author and the space's moderators."""
    if post.status in (PostStatus.PUBLISHED, PostStatus.WITHDRAWN):
        return True
    return (_active(user) and post.author_id == user.id) or can_moderate(user, space)


def can_flag_post(user, post) -> bool:
    """Anyone logged in may report a post, except its author."""
    return _active(user) and post.author_id != user.id


def can_see_revisions(user, space: Space) -> bool:
    return can_moderate(user, space)


def can_open_moderation_queue(user) -> bool:
    """Who sees the queue in the header: admins and moderators. Officials assigned to moderate a space
    reach it from the forum page (the queue itself lists only the spaces a person moderates)."""
    return is_admin(user) or (_active(user) and user.role is Role.MODERATOR)


def can_browse_moderation_log(user) -> bool:
    return is_admin(user)


def can_publish_synthesis(user, space: Space) -> bool:
    """Once the forum is closed: its moderators or its organism's staff."""
    return space.state is SpaceState.CLOSED and (
        can_moderate(user, space) or _is_organism_staff(user, space.organism_id)
    )
