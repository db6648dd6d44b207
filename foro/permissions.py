"""The only place that answers "may this user do this here?".

Every rule is a small ``can_*`` function of the user (possibly anonymous) and the object; views,
templates, services and socket handlers all call these. ``None`` or an anonymous user stands for a
visitor who has not logged in.
"""

from foro.models import (
    ActionStatus,
    CallWindow,
    ModerationMode,
    Organism,
    Phase,
    PollStatus,
    PostStatus,
    ProposalKind,
    ProposalStatus,
    QuestionStatus,
    Role,
    Space,
    SpaceState,
    User,
)


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
    """The author, within the edit window, while the space is open and the post is not hidden or withdrawn.
    In a pre-moderated forum only while it waits for approval: an edit after it would publish unreviewed
    text."""
    editable = (PostStatus.PENDING,) if post.forum.moderation_mode is ModerationMode.PRE else (
        PostStatus.PUBLISHED,
        PostStatus.PENDING,
    )
    return (
        _active(user)
        and post.author_id == user.id
        and space.state is SpaceState.OPEN
        and post.status in editable
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


# --- Calls for proposals -------------------------------------------------------------------------
# ``window`` is ``ProposalCall.window_at(now)``: the rules depend on which window runs, and the
# services check it again inside the transaction that writes.


def can_configure_call(user, space: Space) -> bool:
    """Windows, vote rule, budget and residency: the organism's staff, until the space opens."""
    return _is_organism_staff(user, space.organism_id) and space.state in (SpaceState.DRAFT, SpaceState.ANNOUNCED)


def is_proposal_author(user, proposal) -> bool:
    """The author or an accepted co-author."""
    if not _active(user):
        return False
    return proposal.author_id == user.id or any(
        c.user_id == user.id and c.accepted_at is not None for c in proposal.coauthors
    )


def can_submit_proposal(user, space: Space, window: CallWindow, *, suspended: bool) -> bool:
    return _active(user) and window is CallWindow.PROPOSING and not suspended


def can_edit_proposal(user, proposal, window: CallWindow) -> bool:
    """Authors and co-authors, until the proposing window closes; never a merged or hidden one."""
    return (
        window is CallWindow.PROPOSING
        and proposal.status is ProposalStatus.PUBLISHED
        and proposal.kind is ProposalKind.ORIGINAL
        and is_proposal_author(user, proposal)
    )


def can_invite_coauthor(user, proposal, window: CallWindow) -> bool:
    return can_edit_proposal(user, proposal, window) and proposal.author_id == user.id


def can_see_proposal(user, proposal, space: Space) -> bool:
    """Published, merged and withdrawn proposals are public (the last two as a record); hidden ones only
    for their authors and the space's moderators."""
    if proposal.status is not ProposalStatus.HIDDEN:
        return True
    return is_proposal_author(user, proposal) or can_moderate(user, space)


def can_support_proposal(user, proposal, window: CallWindow) -> bool:
    """While proposals are received, anyone logged in except its authors."""
    return (
        window is CallWindow.PROPOSING
        and proposal.status is ProposalStatus.PUBLISHED
        and _active(user)
        and not is_proposal_author(user, proposal)
    )


def can_comment_proposal(user, proposal, window: CallWindow, *, suspended: bool) -> bool:
    return (
        _active(user)
        and not suspended
        and proposal.status is ProposalStatus.PUBLISHED
        and window in (CallWindow.PROPOSING, CallWindow.CONCERTATION, CallWindow.VOTING)
    )


def can_merge_proposals(user, space: Space, window: CallWindow) -> bool:
    """Moderators merge duplicates before the vote starts."""
    return can_moderate(user, space) and window in (CallWindow.PROPOSING, CallWindow.CONCERTATION)


def can_concert(user, space: Space, window: CallWindow, originals=()) -> bool:
    """In the concertation window: the organism's staff, or an author of one of the originals combined."""
    if window is not CallWindow.CONCERTATION:
        return False
    return _is_organism_staff(user, space.organism_id) or any(is_proposal_author(user, p) for p in originals)


def can_take_stance(user, concerted, window: CallWindow) -> bool:
    """Authors of the originals endorse or object to the concerted proposal, until the vote closes."""
    return window in (CallWindow.CONCERTATION, CallWindow.VOTING) and any(
        is_proposal_author(user, original) for original in concerted.origins
    )


def can_vote(user, window: CallWindow) -> bool:
    """Residency, limits and budget are rules of the vote itself (foro.services.voting)."""
    return _active(user) and window is CallWindow.VOTING


def can_see_vote_totals(call, window: CallWindow) -> bool:
    return window is CallWindow.FINISHED or (call.live_totals and window is CallWindow.VOTING)


def can_publish_call_results(user, space: Space) -> bool:
    """After the vote: its moderators or its organism's staff."""
    return space.state is SpaceState.CLOSED and (
        can_moderate(user, space) or _is_organism_staff(user, space.organism_id)
    )


def can_answer_proposal(user, space: Space) -> bool:
    """Officials of the space's organism (and admins), once the results are published."""
    return _is_organism_staff(user, space.organism_id) and space.state in (
        SpaceState.RESULTS_PUBLISHED,
        SpaceState.RESPONSE_GIVEN,
    )


# --- Follow-up of plan actions -------------------------------------------------------------------


def can_report_progress(user, action) -> bool:
    return _is_organism_staff(user, action.plan.organism_id)


def can_follow(user) -> bool:
    return _active(user)


def can_evaluate_action(user, action, today) -> bool:
    """Citizens, when the action is done or once its cycle's evaluation phase has started. The organism's
    own officials report on the action; they do not rate it."""
    if not _active(user) or is_official_of(user, action.plan.organism_id):
        return False
    if action.status is ActionStatus.DONE:
        return True
    return any(p.phase is Phase.EVALUATION and p.starts_on <= today for p in action.plan.cycle.phases)


def can_observe_action(user) -> bool:
    """Any logged-in person may report that an action is not happening as reported."""
    return _active(user)


def can_answer_observation(user, action) -> bool:
    return _is_organism_staff(user, action.plan.organism_id)


# --- Live accountability sessions ----------------------------------------------------------------

# While the session is announced: registrations, questions in advance, upvotes; while open: all of it live.
_LIVE_PARTICIPATION_STATES = (SpaceState.ANNOUNCED, SpaceState.OPEN)
_LIVE_AFTER_STATES = (SpaceState.CLOSED, SpaceState.RESULTS_PUBLISHED, SpaceState.RESPONSE_GIVEN)


def can_configure_live_session(user, space: Space) -> bool:
    """Stream, co-organising organisms and agenda: the organism's staff, until the session closes."""
    return can_edit_space(user, space)


def can_run_live_session(user, space: Space) -> bool:
    """Advance the agenda, approve or dismiss questions, launch polls, record commitments: the space's
    assigned moderators and admins, while the session is announced (the queue of questions sent in
    advance) or open. Agenda and polls only move while it is open (foro.services.live_sessions)."""
    return can_moderate(user, space) and space.state in _LIVE_PARTICIPATION_STATES


def can_register_attendance(user, space: Space) -> bool:
    return _active(user) and space.state in _LIVE_PARTICIPATION_STATES


def can_ask_live_question(user, space: Space, *, suspended: bool) -> bool:
    """Logged-in people not suspended from the space, in advance (announced) or live (open)."""
    return _active(user) and space.state in _LIVE_PARTICIPATION_STATES and not suspended


def can_upvote_question(user, question, space: Space) -> bool:
    """Approved questions still in the queue, by anyone logged in but their author."""
    return (
        _active(user)
        and space.state in _LIVE_PARTICIPATION_STATES
        and question.status in (QuestionStatus.APPROVED, QuestionStatus.ANSWERING)
        and question.author_id != user.id
    )


def can_see_live_question(user, question, space: Space) -> bool:
    """Pending and dismissed questions are seen by their author and the moderators only; a dismissal's
    reason is public on the record, the question's text is not."""
    if question.status not in (QuestionStatus.PENDING, QuestionStatus.DISMISSED):
        return True
    return can_moderate(user, space) or (_active(user) and question.author_id == user.id)


def can_vote_in_poll(user, poll, space: Space) -> bool:
    return _active(user) and space.state is SpaceState.OPEN and poll.status is PollStatus.OPEN


def can_answer_owed_question(user, space: Space) -> bool:
    """The written answers a session owes after it closes: the organism's staff."""
    return _is_organism_staff(user, space.organism_id) and space.state in _LIVE_AFTER_STATES


def can_evaluate_live_session(user, space: Space, *, attended: bool) -> bool:
    """Attendees (registered or present), once the session has closed; its moderators and the
    organism's officials ran it and do not rate it."""
    return (
        _active(user)
        and attended
        and space.state in _LIVE_AFTER_STATES
        and not is_official_of(user, space.organism_id)
        and not is_space_moderator(user, space)
    )
