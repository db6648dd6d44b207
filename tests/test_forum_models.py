"""The forum schema's own rules, enforced by the database."""

import pytest
from sqlalchemy.exc import IntegrityError

from foro.extensions import db
from foro.models import ContributionKind, ForumPost, PostSupport
from foro.search import search_text


def test_a_reply_under_a_contribution_counts_in_its_thread(make):
    forum = make.make_forum()
    author = make.make_user()
    head = make.make_post(forum, author)
    make.make_post(forum, make.make_user(), thread=head, quote=head, body="<p>De acuerdo.</p>")
    db.session.refresh(head)
    assert head.replies_count == 1 and head.is_head


def test_one_support_per_person_per_contribution(make):
    forum = make.make_forum()
    head = make.make_post(forum, make.make_user())
    supporter = make.make_user()
    db.session.add(PostSupport(post_id=head.id, user_id=supporter.id))
    db.session.commit()
    db.session.add(PostSupport(post_id=head.id, user_id=supporter.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_reply_cannot_have_a_kind(make):
    forum = make.make_forum()
    head = make.make_post(forum, make.make_user())
    db.session.add(
        ForumPost(forum=forum, thread=head, kind=ContributionKind.CAUSE, body="<p>x</p>", author_id=head.author_id)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_search_words_ignore_accents_case_and_plurals():
    assert search_text("Niños", "ÁRBOLES") == search_text("nino", "arbol")
    assert search_text("parques") == search_text("parque")
