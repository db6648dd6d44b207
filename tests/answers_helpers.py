"""Objects and helpers shared by the answers, traceability and health tests."""

from datetime import date
from decimal import Decimal

from foro.extensions import db
from foro.models import ActionStatus, CallWindow, ProposalCoauthor, SpaceState, proposal_follows
from foro.models.followup import ActionEvaluation, ControlObservation, ProgressUpdate
from foro.timeutil import now_utc


def results_call(make, org=None, **fields):
    """A call whose vote is over and whose results are published: the organism may answer now."""
    fields.setdefault("state", SpaceState.RESULTS_PUBLISHED)
    if fields["state"] in (SpaceState.RESULTS_PUBLISHED, SpaceState.RESPONSE_GIVEN):
        fields.setdefault("results_published_at", now_utc())
    return make.make_call(org, window=CallWindow.FINISHED, **fields)


def winner(make, call, author=None, rank=1, votes=10, **fields):
    return make.make_proposal(call, author or make.make_user(), is_winner=True, rank=rank, votes_count=votes, **fields)


def add_coauthor(proposal, user, *, accepted=True):
    db.session.add(
        ProposalCoauthor(proposal_id=proposal.id, user_id=user.id, accepted_at=now_utc() if accepted else None)
    )
    db.session.commit()


def add_follower(proposal, user):
    db.session.execute(proposal_follows.insert().values(proposal_id=proposal.id, user_id=user.id))
    db.session.commit()


def add_update(action, author, *, reported_on=date(2026, 3, 1), percent=40, body="<p>Se dictaron 4 talleres.</p>"):
    update = ProgressUpdate(
        action_id=action.id,
        author_id=author.id,
        reported_on=reported_on,
        indicator_value=Decimal(percent),
        percent_done=percent,
        status=ActionStatus.IN_PROGRESS,
        body=body,
        evidence_links="https://www.cali.gov.co/informe.pdf\njavascript:alert(1)",
    )
    db.session.add(update)
    db.session.commit()
    return update


def add_evaluation(action, user, fulfilment, effect, territory=None):
    evaluation = ActionEvaluation(
        action_id=action.id,
        user_id=user.id,
        fulfilment=fulfilment,
        effect=effect,
        comment="Bien",
        territory_id=territory.id if territory else None,
    )
    db.session.add(evaluation)
    db.session.commit()
    return evaluation


def add_observation(action, author, *, answered=False, body="La obra está detenida desde marzo."):
    observation = ControlObservation(action_id=action.id, author_id=author.id, body=body)
    if answered:
        observation.answer = "La obra se reanuda el lunes."
        observation.answered_at = now_utc()
    db.session.add(observation)
    db.session.commit()
    return observation
