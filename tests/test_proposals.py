"""Proposals in a call: submitting (also from a forum contribution), editing, withdrawing, supports,
comments, co-authors, follows, merging duplicates, hiding, the list and a proposal's page with its fate.

Routes of the proposals blueprint under /espacios/<id>/propuestas. Every refusal: a Spanish message,
the right status, and nothing stored.
"""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from foro.extensions import db
from foro.models import (
    ActionStatus,
    AnswerDecision,
    CallWindow,
    ContributionKind,
    Notification,
    NotificationKind,
    Proposal,
    ProposalAnswer,
    ProposalCoauthor,
    ProposalComment,
    ProposalEndorsement,
    ProposalKind,
    ProposalStatus,
    ProposalSupport,
    Role,
    SpaceState,
    Stance,
    User,
    proposal_follows,
)
from tests.helpers import csrf_token, race, table_row_counts


def _html(response) -> str:
    return response.get_data(as_text=True)


def _sign_in(client, user: User):
    """Log ``client`` in without the log-in form (whose rate limit allows five attempts a minute)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _post(client, url: str, data: dict | None = None, token_from: str = "/cuenta"):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, token_from)})


def _url(proposal_or_call, suffix: str = "") -> str:
    if isinstance(proposal_or_call, Proposal):
        return f"/espacios/{proposal_or_call.call.space_id}/propuestas/{proposal_or_call.id}{suffix}"
    return f"/espacios/{proposal_or_call.space_id}/propuestas{suffix}"


def _fresh(proposal: Proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def _count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def citizen(make):
    return make.make_user(display_name="Luz Marina Caicedo")


@pytest.fixture
def call(make):
    return make.make_call(window=CallWindow.PROPOSING, moderators=[make.make_user(Role.MODERATOR)])


@pytest.fixture
def author(client, citizen):
    return _sign_in(client, citizen)


def _proposal_form(**overrides) -> dict:
    form = {
        "title": "Ruta nocturna del MIO para la ladera",
        "problem": "Después de las ocho de la noche no hay buses hacia la ladera de la comuna 1.",
        "description": "Una ruta cada 30 minutos hasta las once.\n\nCon paraderos iluminados.",
        "territory_id": "",
        "estimated_cost": "25.000.000",
        "on_behalf_of": "Junta de Acción Comunal Terrón Colorado",
    }
    form.update(overrides)
    return form


# --- Submitting ------------------------------------------------------------------------------------


def test_a_citizen_submits_a_proposal_and_follows_it(author, make, call, citizen):
    groups = [make.target_group("Jóvenes").id]
    page = _html(author.get(_url(call, "/nueva")))
    assert "Toda la ciudad" in page and "Costo estimado" in page
    response = _post(
        author,
        _url(call, "/nueva"),
        _proposal_form(territory_id=str(make.territory(1).id), target_group_ids=groups),
        token_from=_url(call, "/nueva"),
    )
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert response.location.endswith(_url(proposal))
    assert proposal.author_id == citizen.id and proposal.status is ProposalStatus.PUBLISHED
    assert proposal.estimated_cost == Decimal("25000000")
    assert proposal.description == "<p>Una ruta cada 30 minutos hasta las once.</p><p>Con paraderos iluminados.</p>"
    assert proposal.on_behalf_of == "Junta de Acción Comunal Terrón Colorado"
    assert [group.id for group in proposal.target_groups] == groups
    assert _count(proposal_follows, proposal_follows.c.user_id == citizen.id) == 1
    shown = _html(author.get(_url(proposal)))
    assert "Ruta nocturna del MIO" in shown and "$ 25.000.000" in shown and "Comuna 1" in shown
    assert "en nombre de Junta de Acción Comunal Terrón Colorado" in shown


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Escribe un título"),
        ({"title": "   \u200b "}, "Escribe un título"),
        ({"title": "x" * 201}, "hasta 200 caracteres"),
        ({"problem": ""}, "qué problema resuelve"),
        ({"problem": "p" * 2001}, "hasta 2000 caracteres"),
        ({"description": ""}, "Describe tu propuesta"),
        ({"description": "d" * 10_001}, "hasta 10000 caracteres"),
        ({"description": "<script>alert(1)</script>"}, "quedó vacío"),
        ({"estimated_cost": "-5000"}, "no puede ser negativo"),
        ({"estimated_cost": "mucho"}, "solo con números"),
        ({"estimated_cost": "1e9"}, "solo con números"),
        ({"estimated_cost": ""}, "costo estimado"),
        ({"estimated_cost": "999999999999999"}, "demasiado alto"),
        ({"territory_id": "abc"}, "Elige una de las opciones"),
        ({"target_group_ids": ["999999"]}, "grupos de valor"),
        ({"on_behalf_of": "o" * 201}, "hasta 200 caracteres"),
        ({"forum_post_id": "99999999999999999999"}, "no es válido"),
    ],
)
def test_bad_proposals_are_refused_in_spanish_and_store_nothing(author, call, overrides, message):
    before = table_row_counts()
    response = _post(author, _url(call, "/nueva"), _proposal_form(**overrides), token_from=_url(call, "/nueva"))
    assert response.status_code == 400
    assert message in _html(response)
    assert table_row_counts() == before


def test_a_territory_outside_the_call_is_refused(author, make):
    call = make.make_call(territories=[make.territory(1)])
    before = table_row_counts()
    response = _post(author, _url(call, "/nueva"), _proposal_form(territory_id=str(make.territory(5).id)))
    assert response.status_code == 400 and "de esta convocatoria" in _html(response)
    assert table_row_counts() == before


def test_script_in_text_is_shown_literally_or_dropped(author, call):
    response = _post(
        author,
        _url(call, "/nueva"),
        _proposal_form(
            title='"><img src=x onerror=alert(1)>',
            problem="<script>alert(1)</script>",
            description='<p>Hola <a href="javascript:alert(1)">enlace</a></p><svg onload=alert(1)>',
            on_behalf_of="{{7*7}}",
        ),
    )
    assert response.status_code == 302
    page = _html(author.get(response.location))
    assert "<img src=x" not in page and "<script>alert(1)" not in page and "javascript:" not in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        and "{{7*7}}" in page
        and "49" not in page.split("en nombre")[1][:30]
    )


@pytest.mark.parametrize(
    "window", [CallWindow.NOT_OPEN, CallWindow.CONCERTATION, CallWindow.VOTING, CallWindow.FINISHED]
)
def test_proposing_outside_the_window_is_refused(client, make, citizen, window):
    call = make.make_call(window=window)
    _sign_in(client, citizen)
    page = client.get(_url(call, "/nueva"))
    assert page.status_code == 409
    before = table_row_counts()
    response = _post(client, _url(call, "/nueva"), _proposal_form())
    assert response.status_code == 409
    assert "todavía no está abierta" in _html(response) or "ya cerró" in _html(response)
    assert table_row_counts() == before


def test_a_suspended_person_may_not_propose(client, make, call, citizen):
    from datetime import timedelta

    from foro.models import SpaceSuspension
    from foro.timeutil import now_utc

    db.session.add(
        SpaceSuspension(space_id=call.space_id, user_id=citizen.id, until=now_utc() + timedelta(days=1), reason="x")
    )
    db.session.commit()
    _sign_in(client, citizen)
    before = table_row_counts()
    response = _post(client, _url(call, "/nueva"), _proposal_form())
    assert response.status_code == 403 and "suspendido" in _html(response)
    assert table_row_counts() == before


# --- From a forum contribution -----------------------------------------------------------------------


def test_a_proposal_from_a_forum_problem_is_prefilled_and_keeps_the_link(author, make, call):
    forum = make.make_forum(org=call.space.organism)
    problem = make.make_post(forum, make.make_user(), kind=ContributionKind.PROBLEM, title="No hay buses de noche")
    page = _html(author.get(_url(call, f"/nueva?aporte={problem.id}")))
    assert "No hay buses de noche" in page and f'name="forum_post_id" type="hidden" value="{problem.id}"' in page
    response = _post(author, _url(call, "/nueva"), _proposal_form(forum_post_id=str(problem.id)))
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.forum_post_id == problem.id
    shown = _html(author.get(_url(proposal)))
    assert f"/espacios/{forum.space_id}/foro/aportes/{problem.id}" in shown


def test_a_forum_proposal_prefills_title_and_description(author, make, call):
    forum = make.make_forum(org=call.space.organism)
    problem = make.make_post(forum, make.make_user(), title="Calles oscuras")
    idea = make.make_post(
        forum, make.make_user(), kind=ContributionKind.PROPOSAL, parent=problem, title="Luminarias LED"
    )
    page = _html(author.get(_url(call, f"/nueva?aporte={idea.id}")))
    assert 'value="Luminarias LED"' in page and "Calles oscuras" in page


@pytest.mark.parametrize("case", ["other_organism", "cause", "reply", "hidden"])
def test_only_published_problems_and_proposals_of_the_same_organism_can_be_linked(author, make, call, case):
    from foro.models import PostStatus

    forum = make.make_forum(org=make.organism("SSP") if case == "other_organism" else call.space.organism)
    head = make.make_post(forum, make.make_user())
    post = {
        "other_organism": head,
        "cause": make.make_post(forum, make.make_user(), kind=ContributionKind.CAUSE, parent=head),
        "reply": make.make_post(forum, make.make_user(), thread=head),
        "hidden": make.make_post(forum, make.make_user(), status=PostStatus.HIDDEN),
    }[case]
    assert 'name="forum_post_id" type="hidden" value=""' in _html(author.get(_url(call, f"/nueva?aporte={post.id}")))
    before = table_row_counts()
    response = _post(author, _url(call, "/nueva"), _proposal_form(forum_post_id=str(post.id)))
    assert response.status_code == 400 and "aporte del foro" in _html(response)
    assert table_row_counts() == before


# --- Editing and withdrawing ----------------------------------------------------------------------


def test_the_author_edits_during_proposing(author, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    assert author.get(_url(proposal, "/editar")).status_code == 200
    response = _post(author, _url(proposal, "/editar"), _proposal_form(title="Título nuevo", estimated_cost="1000"))
    assert response.status_code == 302
    edited = _fresh(proposal)
    assert edited.title == "Título nuevo" and edited.estimated_cost == Decimal(1000)


def test_someone_else_may_not_edit_and_nobody_edits_after_the_window(client, make, citizen):
    call = make.make_call(window=CallWindow.PROPOSING)
    proposal = make.make_proposal(call, citizen)
    _sign_in(client, make.make_user())
    assert client.get(_url(proposal, "/editar")).status_code == 403
    before = table_row_counts()
    response = _post(client, _url(proposal, "/editar"), _proposal_form(title="Secuestro"))
    assert response.status_code == 403 and "Solo las personas autoras" in _html(response)
    assert table_row_counts() == before and _fresh(proposal).title != "Secuestro"

    closed = make.make_call(window=CallWindow.CONCERTATION)
    late = make.make_proposal(closed, citizen)
    _sign_in(client, citizen)
    response = _post(client, _url(late, "/editar"), _proposal_form(title="Tarde"))
    assert response.status_code == 409 and "hasta que cierra la recepción" in _html(response)
    assert _fresh(late).title != "Tarde"


def test_the_author_withdraws_and_the_proposal_stays_as_a_record(author, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    follower = make.make_user()
    db.session.execute(proposal_follows.insert().values(proposal_id=proposal.id, user_id=follower.id))
    db.session.commit()
    response = _post(author, _url(proposal, "/retirar"))
    assert response.status_code == 302
    assert _fresh(proposal).status is ProposalStatus.WITHDRAWN
    assert "retiraron esta propuesta" in _html(author.get(_url(proposal)))
    assert proposal.title not in _html(author.get(_url(call)))
    assert _count(Notification, Notification.user_id == follower.id) == 1
    again = _post(author, _url(proposal, "/retirar"))
    assert again.status_code == 409


# --- Supports -------------------------------------------------------------------------------------


def test_support_once_and_retract(client, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    supporter = _sign_in(client, make.make_user())
    assert _post(supporter, _url(proposal, "/apoyo"), {"action": "add"}).status_code == 302
    assert _fresh(proposal).supports_count == 1
    before = table_row_counts()
    twice = _post(supporter, _url(proposal, "/apoyo"), {"action": "add"})
    assert twice.status_code == 409 and "Ya apoyaste" in _html(twice)
    assert table_row_counts() == before and _fresh(proposal).supports_count == 1
    assert _post(supporter, _url(proposal, "/apoyo"), {"action": "remove"}).status_code == 302
    assert _fresh(proposal).supports_count == 0 and _count(ProposalSupport) == 0


def test_authors_may_not_support_their_own_proposal(author, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    before = table_row_counts()
    response = _post(author, _url(proposal, "/apoyo"), {"action": "add"})
    assert response.status_code == 403 and "tu propia propuesta" in _html(response)
    assert table_row_counts() == before


def test_supports_close_with_the_proposing_window(client, make, citizen):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, citizen)
    _sign_in(client, make.make_user())
    before = table_row_counts()
    response = _post(client, _url(proposal, "/apoyo"), {"action": "add"})
    assert response.status_code == 409 and "Los apoyos se reciben" in _html(response)
    assert table_row_counts() == before


@pytest.mark.parametrize("workers", [2, 20])
def test_concurrent_supports_by_one_person_store_one(app, make, call, citizen, workers):
    proposal = make.make_proposal(call, citizen)
    supporter = make.make_user()
    clients = [_sign_in(app.test_client(), supporter) for _ in range(workers)]
    tokens = [csrf_token(browser, _url(proposal)) for browser in clients]
    url = _url(proposal, "/apoyo")
    db.session.rollback()

    def send(browser, token):
        return lambda: browser.post(url, data={"csrf_token": token, "action": "add"}).status_code

    statuses = race([send(browser, token) for browser, token in zip(clients, tokens, strict=True)])
    assert sorted(statuses) == [302] + [409] * (workers - 1), statuses
    assert _count(ProposalSupport) == 1 == _fresh(proposal).supports_count


def test_many_people_supporting_at_once_are_all_counted(app, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    clients = [_sign_in(app.test_client(), make.make_user()) for _ in range(20)]
    tokens = [csrf_token(browser, _url(proposal)) for browser in clients]
    url = _url(proposal, "/apoyo")
    db.session.rollback()
    statuses = race(
        [
            lambda browser=browser, token=token: (
                browser.post(url, data={"csrf_token": token, "action": "add"}).status_code
            )
            for browser, token in zip(clients, tokens, strict=True)
        ]
    )
    assert statuses == [302] * 20
    assert _count(ProposalSupport) == 20 == _fresh(proposal).supports_count


# --- Comments, follows ----------------------------------------------------------------------------


def test_a_comment_is_stored_counted_and_told_to_the_author(client, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    commenter = _sign_in(client, make.make_user(display_name="Jhon Fredy Angulo"))
    response = _post(commenter, _url(proposal, "/comentarios"), {"body": "¿Y los fines de semana? 🚌"})
    assert response.status_code == 302
    assert _fresh(proposal).comments_count == 1
    assert db.session.scalar(select(ProposalComment.body)) == "<p>¿Y los fines de semana? 🚌</p>"
    notice = db.session.scalar(select(Notification).where(Notification.user_id == citizen.id))
    assert notice.kind is NotificationKind.PROPOSAL and "Jhon Fredy Angulo comentó" in notice.message
    assert "¿Y los fines de semana? 🚌" in _html(client.get(_url(proposal)))


@pytest.mark.parametrize(("body", "status"), [("", 400), ("   ", 400), ("c" * 5001, 400)])
def test_bad_comments_are_refused(client, make, call, citizen, body, status):
    proposal = make.make_proposal(call, citizen)
    _sign_in(client, make.make_user())
    before = table_row_counts()
    response = _post(client, _url(proposal, "/comentarios"), {"body": body})
    assert response.status_code == status and "comentario" in _html(response)
    assert table_row_counts() == before


def test_comments_run_until_the_vote_closes(client, make, citizen):
    voting = make.make_proposal(make.make_call(window=CallWindow.VOTING), citizen)
    finished = make.make_proposal(make.make_call(window=CallWindow.FINISHED), citizen)
    _sign_in(client, make.make_user())
    assert _post(client, _url(voting, "/comentarios"), {"body": "Buena idea"}).status_code == 302
    before = table_row_counts()
    response = _post(client, _url(finished, "/comentarios"), {"body": "Tarde"})
    assert response.status_code == 409 and "ya no recibe comentarios" in _html(response)
    assert table_row_counts() == before


def test_follow_and_unfollow(client, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    reader = make.make_user()
    _sign_in(client, reader)
    assert _post(client, _url(proposal, "/seguir"), {"action": "add"}).status_code == 302
    assert _post(client, _url(proposal, "/seguir"), {"action": "add"}).status_code == 409
    assert _count(proposal_follows, proposal_follows.c.user_id == reader.id) == 1
    assert _post(client, _url(proposal, "/seguir"), {"action": "remove"}).status_code == 302
    assert _count(proposal_follows, proposal_follows.c.user_id == reader.id) == 0


# --- Co-authors -----------------------------------------------------------------------------------


def test_invite_a_coauthor_who_accepts_and_may_edit(app, author, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    invitee = make.make_user(email="maria.ortiz@example.org", display_name="María Ortiz")
    response = _post(author, _url(proposal, "/coautores"), {"email": "  Maria.Ortiz@Example.ORG "})
    assert response.status_code == 302
    notice = db.session.scalar(select(Notification).where(Notification.user_id == invitee.id))
    assert notice.kind is NotificationKind.PROPOSAL and notice.url == _url(proposal)
    other = _sign_in(app.test_client(), invitee)
    assert "te invitó a ser coautor" in _html(other.get(_url(proposal)))
    assert _post(other, _url(proposal, "/coautoria"), {"action": "accept"}).status_code == 302
    assert "María Ortiz" in _html(other.get(_url(call)))
    assert other.get(_url(proposal, "/editar")).status_code == 200
    assert _count(Notification, Notification.user_id == citizen.id) == 1


def test_an_invitee_may_decline(app, author, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    invitee = make.make_user()
    _post(author, _url(proposal, "/coautores"), {"email": invitee.email})
    other = _sign_in(app.test_client(), invitee)
    assert _post(other, _url(proposal, "/coautoria"), {"action": "decline"}).status_code == 302
    assert _count(ProposalCoauthor) == 0
    before = table_row_counts()
    assert _post(other, _url(proposal, "/coautoria"), {"action": "accept"}).status_code == 403
    assert table_row_counts() == before


@pytest.mark.parametrize(
    ("email", "status", "message"),
    [
        ("nadie@example.org", 400, "No hay ninguna cuenta activa"),
        ("self", 400, "No puedes invitarte"),
        ("", 400, "correo electrónico"),
        ("deleted", 400, "No hay ninguna cuenta activa"),
        ("twice", 409, "Ya invitaste"),
    ],
)
def test_bad_invitations_are_refused(author, make, call, citizen, email, status, message):
    from foro.timeutil import now_utc

    proposal = make.make_proposal(call, citizen)
    if email == "self":
        email = citizen.email
    elif email == "deleted":
        gone = make.make_user()
        gone.deleted_at = now_utc()
        db.session.commit()
        email = gone.email
    elif email == "twice":
        invitee = make.make_user()
        db.session.add(ProposalCoauthor(proposal_id=proposal.id, user_id=invitee.id))
        db.session.commit()
        email = invitee.email
    before = table_row_counts()
    response = _post(author, _url(proposal, "/coautores"), {"email": email})
    assert response.status_code == status and message in _html(response)
    assert table_row_counts() == before


# --- Merging duplicates ---------------------------------------------------------------------------


def _support(proposal, *users):
    for user in users:
        db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=user.id))
    proposal.supports_count = len(users)
    db.session.commit()


def test_a_moderator_merges_a_duplicate_without_counting_anyone_twice(client, make, call, citizen):
    moderator = call.space.moderators[0]
    other_author = make.make_user()
    duplicate = make.make_proposal(call, other_author, title="Bus nocturno")
    target = make.make_proposal(call, citizen, title="Ruta nocturna")
    both, only_dup, only_target = make.make_user(), make.make_user(), make.make_user()
    _support(duplicate, both, only_dup, citizen)  # the target's author supported the duplicate
    _support(target, both, only_target)
    follower = make.make_user()
    db.session.execute(proposal_follows.insert().values(proposal_id=duplicate.id, user_id=follower.id))
    db.session.commit()
    _sign_in(client, moderator)
    page = _html(client.get(_url(duplicate)))
    assert "Unir propuestas" in page
    response = _post(client, _url(duplicate, "/unir"), {"into": str(target.id), "reason": "Piden lo mismo."})
    assert response.status_code == 302 and response.location.endswith(_url(target))
    merged, kept = _fresh(duplicate), _fresh(target)
    assert merged.status is ProposalStatus.MERGED and merged.merged_into_id == target.id
    assert merged.merged_by_id == moderator.id and merged.merged_at is not None
    assert merged.merge_reason == "Piden lo mismo."
    supporters = set(
        db.session.scalars(select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == target.id))
    )
    assert supporters == {both.id, only_dup.id, only_target.id}
    assert kept.supports_count == 3
    for person in (citizen, other_author):
        notice = db.session.scalar(select(Notification).where(Notification.user_id == person.id))
        assert notice.kind is NotificationKind.PROPOSAL and "Piden lo mismo." in notice.message
    assert (
        _count(proposal_follows, proposal_follows.c.proposal_id == target.id, proposal_follows.c.user_id == follower.id)
        == 1
    )
    duplicate_page = _html(client.get(_url(duplicate)))
    assert "Se unió a la propuesta" in duplicate_page and "Motivo de la moderación: Piden lo mismo." in duplicate_page
    assert "Bus nocturno" in _html(client.get(_url(target)))


def test_supports_racing_a_merge_are_carried_over_or_refused_never_lost(app, make, call, citizen):
    duplicate = make.make_proposal(call, make.make_user())
    target = make.make_proposal(call, citizen)
    supporters = [make.make_user() for _ in range(10)]
    clients = [_sign_in(app.test_client(), user) for user in supporters]
    moderator = _sign_in(app.test_client(), call.space.moderators[0])
    tokens = [csrf_token(browser, _url(duplicate)) for browser in [*clients, moderator]]
    support_url, merge_url = _url(duplicate, "/apoyo"), _url(duplicate, "/unir")
    merge_data = {"csrf_token": tokens[-1], "into": str(target.id), "reason": "Iguales"}
    db.session.rollback()

    def support(browser, token):
        return lambda: browser.post(support_url, data={"csrf_token": token, "action": "add"}).status_code

    work = [support(browser, token) for browser, token in zip(clients, tokens, strict=False)]
    statuses = race([*work, lambda: moderator.post(merge_url, data=merge_data).status_code])

    assert statuses[-1] == 302 and set(statuses[:-1]) <= {302, 409}, statuses
    stored = {user.id for user, status in zip(supporters, statuses, strict=False) if status == 302}
    on_target = set(db.session.scalars(select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == target.id)))
    assert stored <= on_target
    assert _fresh(target).supports_count == len(on_target)
    assert _fresh(duplicate).status is ProposalStatus.MERGED


@pytest.mark.parametrize("case", ["other_call", "itself", "no_reason", "merged_target"])
def test_bad_merges_are_refused(client, make, call, citizen, case):
    duplicate = make.make_proposal(call, citizen)
    if case == "other_call":
        target = make.make_proposal(make.make_call(), citizen)
    elif case == "itself":
        target = duplicate
    elif case == "merged_target":
        keeper = make.make_proposal(call, citizen)
        target = make.make_proposal(call, citizen, status=ProposalStatus.MERGED, merged_into_id=keeper.id)
    else:
        target = make.make_proposal(call, citizen)
    _sign_in(client, call.space.moderators[0])
    before = table_row_counts()
    reason = "" if case == "no_reason" else "Iguales"
    response = _post(client, _url(duplicate, "/unir"), {"into": str(target.id), "reason": reason})
    assert response.status_code == 400
    assert table_row_counts() == before and _fresh(duplicate).status is ProposalStatus.PUBLISHED


def test_only_moderators_merge_and_only_before_the_vote(client, make, citizen):
    call = make.make_call(window=CallWindow.PROPOSING, moderators=[make.make_user(Role.MODERATOR)])
    first, second = make.make_proposal(call, citizen), make.make_proposal(call, citizen)
    _sign_in(client, make.make_user())
    before = table_row_counts()
    assert _post(client, _url(first, "/unir"), {"into": str(second.id), "reason": "x"}).status_code == 403
    voting = make.make_call(window=CallWindow.VOTING, moderators=call.space.moderators)
    late_a, late_b = make.make_proposal(voting, citizen), make.make_proposal(voting, citizen)
    before = table_row_counts()
    _sign_in(client, call.space.moderators[0])
    response = _post(client, _url(late_a, "/unir"), {"into": str(late_b.id), "reason": "x"})
    assert response.status_code == 409 and "antes de que empiece la votación" in _html(response)
    assert table_row_counts() == before


# --- Hiding -----------------------------------------------------------------------------------------


def test_a_moderator_hides_and_restores_a_proposal(app, client, make, call, citizen):
    proposal = make.make_proposal(call, citizen)
    _sign_in(client, call.space.moderators[0])
    before = table_row_counts()
    assert _post(client, _url(proposal, "/moderar"), {"action": "hide", "reason": ""}).status_code == 400
    assert table_row_counts() == before
    assert (
        _post(client, _url(proposal, "/moderar"), {"action": "hide", "reason": "Datos personales"}).status_code == 302
    )
    assert _fresh(proposal).status is ProposalStatus.HIDDEN
    assert app.test_client().get(_url(proposal)).status_code == 404
    own = _html(_sign_in(app.test_client(), citizen).get(_url(proposal)))
    assert "Datos personales" in own
    assert _post(client, _url(proposal, "/moderar"), {"action": "restore"}).status_code == 302
    assert app.test_client().get(_url(proposal)).status_code == 200


# --- Lookups ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/editar"])
def test_ids_of_another_call_are_not_found(client, make, call, citizen, suffix):
    elsewhere = make.make_proposal(make.make_call(), citizen)
    _sign_in(client, citizen)
    assert client.get(f"/espacios/{call.space_id}/propuestas/{elsewhere.id}{suffix}").status_code == 404


@pytest.mark.parametrize("proposal_id", ["0", "-1", "abc", "99999999999999999999"])
def test_impossible_ids_are_not_found(client, call, proposal_id):
    assert client.get(f"/espacios/{call.space_id}/propuestas/{proposal_id}").status_code == 404


def test_a_space_without_call_or_of_another_kind_has_no_proposals(client, make):
    assert client.get(f"/espacios/{make.make_space().id}/propuestas").status_code == 404


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_sorts_filters_and_falls_back_to_the_default(client, make, call, citizen):
    first = make.make_proposal(call, citizen, title="Pocos apoyos", supports_count=1, comments_count=9)
    second = make.make_proposal(call, citizen, title="Muchos apoyos", supports_count=7, territory=make.territory(3))
    make.make_proposal(call, citizen, title="Retirada", status=ProposalStatus.WITHDRAWN)

    def titles(query: str) -> list[str]:
        page = _html(client.get(_url(call) + query))
        return [title for title in ("Pocos apoyos", "Muchos apoyos", "Retirada") if title in page] and sorted(
            (page.index(t), t) for t in ("Pocos apoyos", "Muchos apoyos") if t in page
        )

    assert [t for _, t in titles("")] == ["Muchos apoyos", "Pocos apoyos"]
    assert [t for _, t in titles("?orden=comentadas")] == ["Pocos apoyos", "Muchos apoyos"]
    assert [t for _, t in titles("?orden=recientes")] == ["Muchos apoyos", "Pocos apoyos"]
    assert [t for _, t in titles("?orden=' OR '1'='1")] == ["Muchos apoyos", "Pocos apoyos"]
    assert [t for _, t in titles(f"?territorio={make.territory(3).id}")] == ["Muchos apoyos"]
    assert [t for _, t in titles("?territorio=abc&pagina=-4")] == ["Muchos apoyos", "Pocos apoyos"]
    assert "Retirada" not in _html(client.get(_url(call)))
    assert first.id and second.id


def test_sorting_by_votes_only_once_totals_may_be_seen(client, make, citizen):
    hidden_totals = make.make_call(window=CallWindow.VOTING)
    make.make_proposal(hidden_totals, citizen, title="Alfa", votes_count=1, supports_count=5)
    make.make_proposal(hidden_totals, citizen, title="Beta", votes_count=9)
    page = _html(client.get(_url(hidden_totals) + "?orden=votos"))
    assert "Más votadas" not in page and page.index("Alfa") < page.index("Beta") and " votos" not in page
    finished = make.make_call(window=CallWindow.FINISHED)
    make.make_proposal(finished, citizen, title="Gamma", votes_count=1, supports_count=5)
    make.make_proposal(finished, citizen, title="Delta", votes_count=9)
    page = _html(client.get(_url(finished) + "?orden=votos"))
    assert "Más votadas" in page and page.index("Delta") < page.index("Gamma") and "9 votos" in page


def test_the_list_pages_by_twenty(client, make, call, citizen):
    for n in range(23):
        make.make_proposal(call, citizen, title=f"Propuesta número {n:02d}")
    first = _html(client.get(_url(call) + "?orden=recientes"))
    assert "Propuesta número 22" in first and "Propuesta número 02" not in first and "pagina=2" in first
    second = _html(client.get(_url(call) + "?orden=recientes&pagina=2"))
    assert "Propuesta número 02" in second and "Propuesta número 22" not in second


def _grow(make, call, count: int):
    supporters = [make.make_user() for _ in range(3)]
    for n in range(count):
        proposal = make.make_proposal(call, make.make_user(), territory=make.territory(1 + n % 5))
        coauthor = make.make_user()
        db.session.add(ProposalCoauthor(proposal_id=proposal.id, user_id=coauthor.id, accepted_at=proposal.created_at))
        for user in supporters:
            db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=user.id))
        proposal.supports_count = 3
        proposal.votes_count = n
    db.session.commit()


def test_the_list_runs_the_same_queries_whatever_the_proposals(client, make, citizen, count_queries):
    small, large = make.make_call(window=CallWindow.FINISHED), make.make_call(window=CallWindow.FINISHED)
    _grow(make, small, 3)
    _grow(make, large, 60)
    _sign_in(client, citizen)
    counts = []
    for url in [_url(small) + "?orden=votos", _url(large) + "?orden=votos&pagina=2"]:
        with count_queries() as counter:
            page = client.get(url)
        assert page.status_code == 200 and "3 apoyos" in _html(page)
        counts.append(counter)
    assert counts[0].count == counts[1].count, counts[1].statements
    # The user, the call with its space (and its moderators and territories), the territories of the
    # filter, the page, its co-authors, the total, and the unread notifications of the header.
    assert counts[1].count <= 9, counts[1].statements


# --- A proposal's page: its fate -------------------------------------------------------------------


def test_a_concerted_proposal_shows_its_originals_and_their_authors_stances(client, make, citizen):
    call = make.make_call(window=CallWindow.VOTING)
    original = make.make_proposal(call, citizen, title="Original uno")
    other = make.make_proposal(call, make.make_user(), title="Original dos")
    concerted = make.make_proposal(call, make.make_official(), title="Concertada", origins=[original, other])
    db.session.add(
        ProposalEndorsement(
            concerted_id=concerted.id, user_id=citizen.id, stance=Stance.OBJECT, comment="Falta la comuna 2"
        )
    )
    db.session.commit()
    page = _html(client.get(_url(concerted)))
    assert "Original uno" in page and "Original dos" in page and "Objeta" in page and "Falta la comuna 2" in page
    assert "Propuesta concertada" in page
    original_page = _html(client.get(_url(original)))
    assert "Entró en la propuesta concertada" in original_page and _url(concerted) in original_page


def test_a_winner_shows_its_rank_votes_and_the_answer_with_its_action(client, make, citizen):
    call = make.make_call(window=CallWindow.FINISHED, state=SpaceState.RESULTS_PUBLISHED)
    call.results_published_at = call.voting_ends_at
    db.session.commit()
    action = make.make_action(
        make.make_plan(call.space.organism), status=ActionStatus.PLANNED, title="Ruta nocturna 2027"
    )
    proposal = make.make_proposal(call, citizen, votes_count=42, rank=1, is_winner=True)
    db.session.add(
        ProposalAnswer(
            proposal_id=proposal.id, decision=AnswerDecision.ACCEPTED, reason="Cabe en el plan.", action_id=action.id
        )
    )
    db.session.commit()
    page = _html(client.get(_url(proposal)))
    assert "Ganó: quedó en el puesto 1." in page and "Recibió 42 votos." in page
    assert "Aceptada" in page and "Cabe en el plan." in page and f"/acciones/{action.id}" in page
    assert _url(proposal, "/respuesta") not in page
    _sign_in(client, make.make_official(call.space.organism.acronym))
    assert _url(proposal, "/respuesta") in _html(client.get(_url(proposal)))


def test_a_proposal_page_runs_no_writes(client, make, call, citizen, count_queries):
    proposal = make.make_proposal(call, citizen)
    _sign_in(client, make.make_user())
    with count_queries() as counter:
        assert client.get(_url(proposal)).status_code == 200
    assert not [s for s in counter.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_proposal_kind_is_original_by_default(make, call, citizen):
    assert make.make_proposal(call, citizen).kind is ProposalKind.ORIGINAL
