"""The anonymous page cache of a call for proposals' pages (foro.services.page_cache, CALL_STAMP): the
proposal list, a proposal's page, the results and the answers.

Each writer that changes what an anonymous visitor sees must bump its call's revision: an anonymous
visitor reads the page (it is then kept), the write goes through its real route, and the same visitor
must see the change at once. Votes bump only with live totals; otherwise the totals appear when the
vote window ends, which changes the page's key by itself. People who are logged in never get a kept page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select, update

from foro.extensions import db
from foro.models import (
    CallWindow,
    Proposal,
    ProposalCall,
    ProposalCoauthor,
    ProposalStatus,
    ProposalSupport,
    Role,
    Space,
    SpaceState,
)
from foro.services.page_cache import page_cache
from foro.timeutil import now_utc, utc_to_local
from tests.answers_helpers import results_call, winner
from tests.cache_helpers import close_space, delete_author, ok, rename_author
from tests.helpers import post_form

TITLE = "Ruta nocturna del MIO para la ladera"
OTHER_TITLE = "Paraderos iluminados en Siloé"


@dataclass
class World:
    make: object
    call: ProposalCall
    official: object
    moderator: object
    author: object
    citizen: object
    proposal: Proposal
    new_client: Callable
    other: Proposal | None = None
    extra: dict = field(default_factory=dict)

    @property
    def space_id(self) -> int:
        return self.call.space_id

    def url(self, page: str) -> str:
        base = f"/espacios/{self.space_id}"
        return {
            "list": f"{base}/propuestas",
            "show": f"{base}/propuestas/{self.proposal.id}",
            "results": f"{base}/resultados",
            "answers": f"{base}/respuestas",
        }[page]

    def as_user(self, user):
        """A browser of its own, logged in as ``user`` (without the rate-limited log-in form)."""
        client = self.new_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client


def _world(make, make_client, window: CallWindow, *, live_totals: bool = False, results: bool = False) -> World:
    official = make.make_official()
    moderator = make.make_user(Role.MODERATOR, display_name="Marta Moderadora")
    author = make.make_user(display_name="Ana Autora")
    citizen = make.make_user(display_name="Carlos Ciudadano")
    if results:
        call = results_call(make, official.organism, moderators=[moderator])
        proposal = winner(make, call, author, title=TITLE)
    else:
        call = make.make_call(official.organism, window=window, moderators=[moderator], live_totals=live_totals)
        proposal = make.make_proposal(call, author, title=TITLE)
    return World(make, call, official, moderator, author, citizen, proposal, make_client)


def _html(response) -> str:
    return response.get_data(as_text=True)


def _revision(world: World) -> int:
    db.session.rollback()
    return db.session.scalar(select(ProposalCall.revision).where(ProposalCall.id == world.call.id))


def _local(moment) -> str:
    return utc_to_local(moment).strftime("%Y-%m-%dT%H:%M")


# --- One case per writer: (window, setup, page, write, text, shown after the write) -------------------


def _nothing(_w: World) -> None:
    pass


def _submit(w: World) -> None:
    url = f"/espacios/{w.space_id}/propuestas/nueva"
    data = {
        "title": OTHER_TITLE,
        "problem": "De noche no se ve nada en los paraderos.",
        "description": "Luces solares en diez paraderos.",
        "territory_id": "",
        "estimated_cost": "25.000.000",
        "on_behalf_of": "",
    }
    ok(post_form(w.as_user(w.citizen), url, data, token_from=url))


def _edit(w: World) -> None:
    url = f"/espacios/{w.space_id}/propuestas/{w.proposal.id}/editar"
    data = {
        "title": "Título corregido de la ruta",
        "problem": "Después de las ocho no hay buses.",
        "description": "Una ruta cada 30 minutos.",
        "territory_id": "",
        "estimated_cost": "25.000.000",
        "on_behalf_of": "",
    }
    ok(post_form(w.as_user(w.author), url, data, token_from=url))


def _on_proposal(who: str, suffix: str, target: str = "proposal", **data):
    def write(w: World) -> None:
        proposal = w.proposal if target == "proposal" else w.other
        ok(post_form(w.as_user(getattr(w, who)), f"/espacios/{w.space_id}/propuestas/{proposal.id}/{suffix}", data))

    return write


def _supported(w: World) -> None:
    db.session.add(ProposalSupport(proposal_id=w.proposal.id, user_id=w.citizen.id, created_at=now_utc()))
    db.session.execute(update(Proposal).where(Proposal.id == w.proposal.id).values(supports_count=1))
    db.session.commit()


def _invited(w: World) -> None:
    invitee = w.make.make_user(display_name="Coautora Invitada")
    db.session.add(ProposalCoauthor(proposal_id=w.proposal.id, user_id=invitee.id, invited_at=now_utc()))
    db.session.commit()
    w.extra["invitee"] = invitee


def _accept_invitation(w: World) -> None:
    url = f"/espacios/{w.space_id}/propuestas/{w.proposal.id}/coautoria"
    ok(post_form(w.as_user(w.extra["invitee"]), url, {"action": "accept"}))


def _other_proposal(status: ProposalStatus = ProposalStatus.PUBLISHED):
    def setup(w: World) -> None:
        w.other = w.make.make_proposal(w.call, w.citizen, title=OTHER_TITLE, status=status)

    return setup


def _merge(w: World) -> None:
    url = f"/espacios/{w.space_id}/propuestas/{w.other.id}/unir"
    ok(post_form(w.as_user(w.moderator), url, {"into": str(w.proposal.id), "reason": "Piden lo mismo."}))


def _call_settings(w: World) -> None:
    space = w.call.space
    # A day before the space closes, to the minute (what the form takes).
    voting_ends = (space.closes_at - timedelta(days=1)).replace(second=0, microsecond=0)
    data = {
        "proposing_ends_at": _local(space.opens_at + timedelta(days=1)),
        "concertation_ends_at": "",
        "voting_ends_at": _local(voting_ends),
        "vote_rule": "simple",
        "max_votes": "",
        "budget_cap": "",
        "winners_count": "",
    }
    ok(post_form(w.as_user(w.official), f"/espacios/{w.space_id}/convocatoria/ajustes", data))
    # The results page says when the vote ends, as the templates write dates.
    with current_app.test_request_context():
        w.extra["text"] = current_app.jinja_env.filters["local_datetime"](voting_ends)


def _concert(w: World) -> None:
    data = {
        "original_ids": [str(w.proposal.id), str(w.other.id)],
        "title": "Movilidad nocturna concertada",
        "problem": "No hay transporte a la ladera de noche.",
        "description": "Una ruta nocturna y paraderos iluminados.",
        "territory_id": "",
        "estimated_cost": "$ 45.000.000",
    }
    ok(post_form(w.as_user(w.author), f"/espacios/{w.space_id}/concertacion", data))


def _concerted(w: World) -> None:
    """The proposal of the world becomes a concerted proposal of the author's original."""
    original = w.make.make_proposal(w.call, w.author, title=OTHER_TITLE)
    concerted = w.make.make_proposal(w.call, w.official, origins=[original], title="Movilidad concertada")
    w.proposal = concerted


def _stance(w: World) -> None:
    url = f"/espacios/{w.space_id}/propuestas/{w.proposal.id}/postura"
    ok(post_form(w.as_user(w.author), url, {"stance": "endorse", "comment": "Recoge lo que pedimos en el barrio"}))


def _vote(action: str = "add"):
    def write(w: World) -> None:
        url = f"/espacios/{w.space_id}/votacion/{w.proposal.id}"
        ok(post_form(w.as_user(w.citizen), url, {"action": action}))

    return write


def _voted(w: World) -> None:
    _vote()(w)


def _publish(w: World) -> None:
    ok(post_form(w.as_user(w.official), f"/espacios/{w.space_id}/resultados/publicar", {}))


def _answer(w: World) -> None:
    url = f"/espacios/{w.space_id}/propuestas/{w.proposal.id}/respuesta"
    data = {"decision": "rejected", "reason": "No cabe en el presupuesto de esta vigencia."}
    ok(post_form(w.as_user(w.official), url, data, token_from=url))


def _edit_space(w: World) -> None:
    space = db.session.get(Space, w.space_id)
    data = {
        "kind": "proposal_call",
        "title": "Convocatoria con título nuevo",
        "description": "<p>Descripción.</p>",
        "cycle_id": str(space.cycle_id),
        "phase": space.phase.value,
        "participation_level": space.participation_level.value,
        "action_id": "",
        "opens_at": _local(space.opens_at),
        # To the minute, and not before the vote ends (the call's windows must fit the space).
        "closes_at": _local(space.closes_at + timedelta(minutes=1)),
        "location": "",
        "response_business_days": str(space.response_business_days),
        "moderator_ids": [str(w.moderator.id)],
    }
    ok(post_form(w.as_user(w.official), f"/espacios/{w.space_id}/editar", data))


P, C, V, F = CallWindow.PROPOSING, CallWindow.CONCERTATION, CallWindow.VOTING, CallWindow.FINISHED
# name: (window or "results", options, setup, page, write, text, shown after the write). A text None is
# taken from world.extra["text"], set by the write.
CASES = {
    "submit": (P, {}, _nothing, "list", _submit, OTHER_TITLE, True),
    "edit": (P, {}, _nothing, "show", _edit, "Título corregido de la ruta", True),
    "withdraw": (P, {}, _nothing, "list", _on_proposal("author", "retirar"), TITLE, False),
    "support": (P, {}, _nothing, "list", _on_proposal("citizen", "apoyo", action="add"), "1 apoyo", True),
    "retract support": (P, {}, _supported, "list", _on_proposal("citizen", "apoyo", action="remove"), "0 apoyos", True),
    "comment": (
        P,
        {},
        _nothing,
        "show",
        _on_proposal("citizen", "comentarios", body="Me sirve de noche"),
        "Me sirve de noche",
        True,
    ),
    "co-author accepted": (P, {}, _invited, "list", _accept_invitation, "Coautora Invitada", True),
    "merge": (P, {}, _other_proposal(), "list", _merge, OTHER_TITLE, False),
    "hide": (
        P,
        {},
        _nothing,
        "list",
        _on_proposal("moderator", "moderar", action="hide", reason="Datos personales."),
        TITLE,
        False,
    ),
    "restore": (
        P,
        {},
        _other_proposal(ProposalStatus.HIDDEN),
        "list",
        _on_proposal("moderator", "moderar", "other", action="restore"),
        OTHER_TITLE,
        True,
    ),
    "call settings": (CallWindow.NOT_OPEN, {}, _nothing, "results", _call_settings, None, True),
    "concert": (C, {}, _other_proposal(), "list", _concert, "Movilidad nocturna concertada", True),
    "stance": (C, {}, _concerted, "show", _stance, "Recoge lo que pedimos en el barrio", True),
    "vote, live totals": (V, {"live_totals": True}, _nothing, "list", _vote(), "1 voto", True),
    "remove vote, live totals": (
        V,
        {"live_totals": True},
        _voted,
        "results",
        _vote("remove"),
        "0 votos en total",
        True,
    ),
    "publish results": (F, {}, _nothing, "results", _publish, "Resultados publicados el", True),
    "answer": ("results", {}, _nothing, "answers", _answer, "No cabe en el presupuesto de esta vigencia.", True),
    "answer, proposal page": ("results", {}, _nothing, "show", _answer, "No cabe en el presupuesto", True),
    "space edit": (P, {}, _nothing, "list", _edit_space, "Convocatoria con título nuevo", True),
    # Closing also changes the key by itself (the state, the window); the bump is there all the same.
    "space state": (V, {}, _nothing, "list", close_space, str(CallWindow.FINISHED.label), True),
    "display name": (P, {}, _nothing, "list", rename_author, "Ana Renombrada", True),
    "account deletion": (P, {}, _nothing, "show", delete_author, "Participante eliminado", True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_write_reaches_anonymous_visitors_at_once(make, make_client, client, count_queries, case):
    window, options, setup, page, write, text, shown_after = CASES[case]
    world = _world(make, make_client, F if window == "results" else window, results=window == "results", **options)
    setup(world)
    url = world.url(page)
    first = client.get(url)
    assert first.status_code == 200
    with count_queries() as hit:
        assert client.get(url).get_data() == first.get_data()
    assert hit.count == 1, "the second anonymous visit is served from the cache"
    revision = _revision(world)

    write(world)

    text = text or world.extra["text"]
    assert (text in _html(first)) is not shown_after
    assert _revision(world) > revision
    with count_queries() as after_write:
        response = client.get(url)
    assert after_write.count > 1, "the page is rendered again after the write"
    assert response.status_code == 200
    assert (text in _html(response)) is shown_after


def _end_the_vote(call_id: int) -> None:
    """Move the windows into the past without a write through Foro (no bump): time passing."""
    now = now_utc()
    db.session.rollback()
    db.session.execute(
        update(ProposalCall)
        .where(ProposalCall.id == call_id)
        .values(
            proposing_ends_at=now - timedelta(hours=3),
            concertation_ends_at=now - timedelta(hours=2),
            voting_ends_at=now - timedelta(hours=1),
        )
    )
    db.session.commit()


def test_votes_without_live_totals_show_once_the_vote_ends(make, make_client, client, count_queries):
    world = _world(make, make_client, CallWindow.VOTING)
    urls = [world.url("list"), world.url("show"), world.url("results")]
    first = {url: client.get(url).get_data() for url in urls}
    revision = _revision(world)

    _vote()(world)

    # Nothing public shows the totals while the vote runs: the call row is not touched and the kept
    # pages stay right.
    assert _revision(world) == revision
    for url in urls:
        with count_queries() as counter:
            assert client.get(url).get_data() == first[url]
        assert counter.count == 1
    assert "1 voto" not in _html(client.get(world.url("list")))

    _end_the_vote(world.call.id)

    assert "1 voto" in _html(client.get(world.url("list")))
    assert "Recibió 1 voto." in _html(client.get(world.url("show")))
    assert "1 voto en total" in _html(client.get(world.url("results")))


def test_a_vote_with_live_totals_shows_at_once_on_every_page(make, make_client, client):
    world = _world(make, make_client, CallWindow.VOTING, live_totals=True)
    for page in ("list", "show", "results"):
        assert client.get(world.url(page)).status_code == 200
    _vote()(world)
    assert "1 voto" in _html(client.get(world.url("list")))
    assert "Recibió 1 voto." in _html(client.get(world.url("show")))
    assert "1 voto en total" in _html(client.get(world.url("results")))


def test_logged_in_people_never_get_a_kept_page(make, make_client, client):
    world = _world(make, make_client, CallWindow.PROPOSING)
    citizen = world.as_user(world.citizen)
    for page in ("list", "show"):
        anonymous = _html(client.get(world.url(page)))
        assert "Cerrar sesión" not in anonymous
        assert "Cerrar sesión" in _html(citizen.get(world.url(page)))
    # The citizen's own buttons (support, follow) come from a fresh page, never the anonymous one.
    assert "Seguir la propuesta" in _html(citizen.get(world.url("show")))


def test_a_hit_runs_only_the_stamp_query(make, make_client, client, count_queries):
    world = _world(make, make_client, CallWindow.FINISHED, results=True)
    for page in ("list", "show", "results", "answers"):
        url = world.url(page) + "?pagina=1"
        assert client.get(url).status_code == 200
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count == 1, page
        assert counter.statements[0].lstrip().upper().startswith("SELECT PROPOSAL_CALLS.ID, PROPOSAL_CALLS.REVISION")


def test_query_arguments_are_normalised(make, make_client, client, count_queries):
    url = _world(make, make_client, CallWindow.PROPOSING).url("list")
    client.get(url + "?orden=recientes&pagina=1")
    with count_queries() as counter:
        client.get(url + "?pagina=1&orden=recientes")
    assert counter.count == 1


def test_the_window_is_part_of_the_key(make, make_client, client):
    """A window ending changes the pages (here: comments close) without any write."""
    world = _world(make, make_client, CallWindow.PROPOSING)
    assert "Propuestas" in _html(client.get(world.url("list")))
    before = _html(client.get(world.url("list")))
    _end_the_vote(world.call.id)
    after = _html(client.get(world.url("list")))
    assert before != after
    assert CallWindow.PROPOSING.label in before and CallWindow.FINISHED.label in after


def test_a_draft_call_stays_404_and_nothing_is_kept(make, client, app):
    call = make.make_call(window=CallWindow.NOT_OPEN, state=SpaceState.DRAFT)
    proposal = make.make_proposal(call, make.make_user())
    base = f"/espacios/{call.space_id}"
    for url in (f"{base}/propuestas", f"{base}/propuestas/{proposal.id}", f"{base}/resultados", f"{base}/respuestas"):
        assert client.get(url).status_code == 404
    assert len(page_cache(app)) == 0


def test_the_ballot_the_csv_and_missing_proposals_are_never_kept(make, make_client, client, app):
    world = _world(make, make_client, CallWindow.FINISHED)
    base = f"/espacios/{world.space_id}"
    assert client.get(f"{base}/votacion").status_code == 200
    assert client.get(f"{base}/resultados.csv").status_code == 200
    assert client.get(f"{base}/propuestas/999999").status_code == 404
    assert client.get(f"{base}/concertacion").status_code == 200
    assert len(page_cache(app)) == 0


def test_a_kept_page_has_the_body_and_headers_of_a_fresh_one(make, make_client, client, app):
    world = _world(make, make_client, CallWindow.FINISHED, results=True)
    for page in ("list", "show", "results", "answers"):
        url = world.url(page)
        fresh = client.get(url)
        kept = client.get(url)
        assert kept.get_data() == fresh.get_data()
        assert list(kept.headers.items()) == list(fresh.headers.items())
        assert "Set-Cookie" not in kept.headers
        cache = page_cache(app)
        size, cache.size = cache.size, 0
        try:
            uncached = client.get(url)
        finally:
            cache.size = size
        assert uncached.get_data() == kept.get_data()


def test_forum_and_call_pages_share_one_cache(make, make_client, client, app):
    world = _world(make, make_client, CallWindow.PROPOSING)
    forum = make.make_forum()
    assert client.get(world.url("list")).status_code == 200
    assert client.get(f"/espacios/{forum.space_id}/foro").status_code == 200
    assert len(page_cache(app)) == 2
