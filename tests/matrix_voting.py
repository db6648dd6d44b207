"""Role-matrix rows of concertation, the vote and its results, merged into tests/test_role_matrix.py (see its
docstring).

extend_world(make, users, organism, ids) creates this capability's objects and adds their ids;
ROUTE_ARGS maps an endpoint to a function of ids giving its URL arguments; MATRIX maps (endpoint,
method) to the set of actors allowed (names in test_role_matrix.ACTORS); SEES_OBJECT lists routes on
hidden objects; POST_DATA gives the extra form fields an endpoint's POST needs to pass validation's
first checks.
"""

from foro.models import CallWindow
from tests.matrix_actors import EVERYONE, LOGGED_IN, RUNNERS, STAFF

# The citizen authored an original in the concertation call (still available, and one already concerted).
ORIGINAL_AUTHOR = {"citizen"}

ROUTE_ARGS = {
    "voting.concertation": lambda i: {"space_id": i["voting_concert_space_id"]},
    "voting.stance": lambda i: {"space_id": i["voting_concert_space_id"], "proposal_id": i["voting_concerted_id"]},
    "voting.ballot": lambda i: {"space_id": i["voting_vote_space_id"]},
    "voting.vote": lambda i: {"space_id": i["voting_vote_space_id"], "proposal_id": i["voting_proposal_id"]},
    "voting.results": lambda i: {"space_id": i["voting_results_space_id"]},
    "voting.results_csv": lambda i: {"space_id": i["voting_results_space_id"]},
    "voting.publish_results": lambda i: {"space_id": i["voting_results_space_id"]},
}
MATRIX = {
    ("voting.concertation", "GET"): EVERYONE,
    # An empty form: allowed people reach validation (400), others are refused before it (403).
    ("voting.concertation", "POST"): ORIGINAL_AUTHOR | STAFF,
    ("voting.stance", "POST"): ORIGINAL_AUTHOR,
    ("voting.ballot", "GET"): EVERYONE,
    ("voting.vote", "POST"): LOGGED_IN,
    ("voting.results", "GET"): EVERYONE,
    ("voting.results_csv", "GET"): EVERYONE,
    ("voting.publish_results", "POST"): RUNNERS,
}
SEES_OBJECT = {}
POST_DATA = {"voting.vote": {"action": "add"}}


def extend_world(make, users, organism, ids) -> None:
    moderators = [users["moderator_of_space"]]
    someone = make.make_user(display_name="Autora de otra propuesta")
    concert = make.make_call(organism, window=CallWindow.CONCERTATION, moderators=moderators)
    concerted_original = make.make_proposal(concert, users["citizen"])
    other_original = make.make_proposal(concert, someone)
    concerted = make.make_proposal(concert, users["official_of_organism"], origins=[concerted_original, other_original])
    make.make_proposal(concert, users["citizen"])
    make.make_proposal(concert, someone)
    vote = make.make_call(organism, window=CallWindow.VOTING, moderators=moderators)
    proposal = make.make_proposal(vote, someone)
    finished = make.make_call(organism, window=CallWindow.FINISHED, moderators=moderators)
    make.make_proposal(finished, someone)
    ids |= {
        "voting_concert_space_id": concert.space_id,
        "voting_concerted_id": concerted.id,
        "voting_vote_space_id": vote.space_id,
        "voting_proposal_id": proposal.id,
        "voting_results_space_id": finished.space_id,
    }
