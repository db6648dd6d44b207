"""What a person contributed, for "Descargar mis datos" (Ley 1581: right of access).

Every row here belongs to the person: their posts and proposals, the supports, reports, follows, votes,
stances, evaluations and observations they made, their live-session attendance, questions,
upvotes, poll votes and session evaluations. Nothing about anyone else goes in: a reply they
received, a vote of another person, the author of what they supported (only its id and title, which
are public). Their own votes are theirs to see, though never shown to anyone else.
"""

from sqlalchemy import select

from foro.extensions import db
from foro.models import (
    ActionEvaluation,
    Ballot,
    ControlObservation,
    ForumPost,
    LiveAttendance,
    LivePollVote,
    LiveQuestion,
    LiveSession,
    PostFlag,
    PostSupport,
    ProgressUpdate,
    Proposal,
    ProposalCoauthor,
    ProposalComment,
    ProposalEndorsement,
    ProposalSupport,
    ProposalVote,
    QuestionUpvote,
    SessionEvaluation,
    User,
    action_follows,
    proposal_follows,
    thread_follows,
)


def _when(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _ids(table, column, user_id: int) -> list[int]:
    return sorted(db.session.scalars(select(column).where(table.c.user_id == user_id)))


def _forum_section(user_id: int) -> dict:
    posts = db.session.scalars(select(ForumPost).where(ForumPost.author_id == user_id).order_by(ForumPost.id))
    return {
        "aportes_y_respuestas": [
            {
                "id": post.id,
                "espacio": post.forum.space_id,
                "hilo": post.thread_id,
                "tipo": post.kind.value if post.kind else None,
                "titulo": post.title,
                "texto": post.body,
                "estado": post.status.value,
                "motivo_de_ocultamiento": post.hidden_reason,
                "creado_en": _when(post.created_at),
                "editado_en": _when(post.edited_at),
            }
            for post in posts
        ],
        "apoyos_a_aportes": [
            {"aporte": post_id, "en": _when(at)}
            for post_id, at in db.session.execute(
                select(PostSupport.post_id, PostSupport.created_at)
                .where(PostSupport.user_id == user_id)
                .order_by(PostSupport.post_id)
            )
        ],
        "reportes_de_aportes": [
            {"aporte": flag.post_id, "motivo": flag.reason.value, "nota": flag.note, "en": _when(flag.created_at)}
            for flag in db.session.scalars(select(PostFlag).where(PostFlag.user_id == user_id).order_by(PostFlag.id))
        ],
        "hilos_que_sigue": _ids(thread_follows, thread_follows.c.thread_id, user_id),
    }


def _proposal_section(user_id: int) -> dict:
    proposals = db.session.scalars(select(Proposal).where(Proposal.author_id == user_id).order_by(Proposal.id))
    return {
        "propuestas": [
            {
                "id": proposal.id,
                "convocatoria": proposal.call.space_id,
                "tipo": proposal.kind.value,
                "en_nombre_de": proposal.on_behalf_of,
                "titulo": proposal.title,
                "problema": proposal.problem,
                "descripcion": proposal.description,
                "costo_estimado": str(proposal.estimated_cost),
                "estado": proposal.status.value,
                "creada_en": _when(proposal.created_at),
            }
            for proposal in proposals
        ],
        "coautorias": [
            {"propuesta": row.proposal_id, "invitada_en": _when(row.invited_at), "aceptada_en": _when(row.accepted_at)}
            for row in db.session.scalars(
                select(ProposalCoauthor)
                .where(ProposalCoauthor.user_id == user_id)
                .order_by(ProposalCoauthor.proposal_id)
            )
        ],
        "apoyos_a_propuestas": [
            {"propuesta": proposal_id, "en": _when(at)}
            for proposal_id, at in db.session.execute(
                select(ProposalSupport.proposal_id, ProposalSupport.created_at)
                .where(ProposalSupport.user_id == user_id)
                .order_by(ProposalSupport.proposal_id)
            )
        ],
        "comentarios_a_propuestas": [
            {"id": c.id, "propuesta": c.proposal_id, "texto": c.body, "en": _when(c.created_at)}
            for c in db.session.scalars(
                select(ProposalComment).where(ProposalComment.author_id == user_id).order_by(ProposalComment.id)
            )
        ],
        "posturas_sobre_propuestas_concertadas": [
            {"propuesta": e.concerted_id, "postura": e.stance.value, "comentario": e.comment, "en": _when(e.updated_at)}
            for e in db.session.scalars(
                select(ProposalEndorsement)
                .where(ProposalEndorsement.user_id == user_id)
                .order_by(ProposalEndorsement.concerted_id)
            )
        ],
        "votos": [
            {"convocatoria": vote.call_id, "propuesta": vote.proposal_id, "en": _when(vote.created_at)}
            for vote in db.session.scalars(
                select(ProposalVote).where(ProposalVote.user_id == user_id).order_by(ProposalVote.proposal_id)
            )
        ],
        "papeletas": [
            {"convocatoria": b.call_id, "votos": b.votes_count, "costo_elegido": str(b.cost_total)}
            for b in db.session.scalars(select(Ballot).where(Ballot.user_id == user_id).order_by(Ballot.call_id))
        ],
        "propuestas_que_sigue": _ids(proposal_follows, proposal_follows.c.proposal_id, user_id),
    }


def _follow_up_section(user_id: int) -> dict:
    return {
        "acciones_que_sigue": _ids(action_follows, action_follows.c.action_id, user_id),
        "evaluaciones_de_acciones": [
            {
                "accion": e.action_id,
                "cumplimiento": e.fulfilment,
                "efecto": e.effect,
                "comentario": e.comment,
                "en": _when(e.updated_at),
            }
            for e in db.session.scalars(
                select(ActionEvaluation).where(ActionEvaluation.user_id == user_id).order_by(ActionEvaluation.id)
            )
        ],
        "observaciones_de_control_social": [
            {
                "accion": o.action_id,
                "texto": o.body,
                "evidencias": o.evidence_links,
                "en": _when(o.created_at),
                "respuesta_del_organismo": o.answer,
            }
            for o in db.session.scalars(
                select(ControlObservation)
                .where(ControlObservation.author_id == user_id)
                .order_by(ControlObservation.id)
            )
        ],
        "reportes_de_avance_publicados": [
            {"accion": u.action_id, "fecha": u.reported_on.isoformat(), "texto": u.body}
            for u in db.session.scalars(
                select(ProgressUpdate).where(ProgressUpdate.author_id == user_id).order_by(ProgressUpdate.id)
            )
        ],
    }


def _live_session_section(user_id: int) -> dict:
    space_of_session = {
        session_id: space_id
        for session_id, space_id in db.session.execute(
            select(LiveSession.id, LiveSession.space_id)
            .join(LiveAttendance, LiveAttendance.session_id == LiveSession.id, isouter=True)
            .join(LiveQuestion, LiveQuestion.session_id == LiveSession.id, isouter=True)
            .join(SessionEvaluation, SessionEvaluation.session_id == LiveSession.id, isouter=True)
            .where(
                (LiveAttendance.user_id == user_id)
                | (LiveQuestion.author_id == user_id)
                | (SessionEvaluation.user_id == user_id)
            )
            .distinct()
        )
    }
    return {
        "asistencia": [
            {
                "espacio": space_of_session[a.session_id],
                "inscripcion_en": _when(a.registered_at),
                "presente_desde": _when(a.joined_at),
            }
            for a in db.session.scalars(
                select(LiveAttendance).where(LiveAttendance.user_id == user_id).order_by(LiveAttendance.session_id)
            )
        ],
        "preguntas": [
            {
                "id": q.id,
                "espacio": space_of_session[q.session_id],
                "texto": q.body,
                "estado": q.status.value,
                "enviada_antes_de_la_sesion": q.in_advance,
                "motivo_de_descarte": q.dismissal_reason,
                "respuesta": q.answer,
                "en": _when(q.created_at),
            }
            for q in db.session.scalars(
                select(LiveQuestion).where(LiveQuestion.author_id == user_id).order_by(LiveQuestion.id)
            )
        ],
        "preguntas_apoyadas": [
            {"pregunta": question_id, "en": _when(at)}
            for question_id, at in db.session.execute(
                select(QuestionUpvote.question_id, QuestionUpvote.created_at)
                .where(QuestionUpvote.user_id == user_id)
                .order_by(QuestionUpvote.question_id)
            )
        ],
        "votos_en_encuestas": [
            {"encuesta": poll_id, "opcion": option_id, "en": _when(at)}
            for poll_id, option_id, at in db.session.execute(
                select(LivePollVote.poll_id, LivePollVote.option_id, LivePollVote.created_at)
                .where(LivePollVote.user_id == user_id)
                .order_by(LivePollVote.poll_id)
            )
        ],
        "evaluaciones_de_sesiones": [
            {
                "espacio": space_of_session[e.session_id],
                "informacion_clara": e.information_clear,
                "preguntas_respondidas": e.questions_answered,
                "utilidad": e.usefulness,
                "comentario": e.comment,
                "en": _when(e.created_at),
            }
            for e in db.session.scalars(
                select(SessionEvaluation).where(SessionEvaluation.user_id == user_id).order_by(SessionEvaluation.id)
            )
        ],
    }


def contributions_of(user: User) -> dict:
    """The person's contributions in every capability, keyed in Spanish like the rest of the export."""
    return {
        "foros": _forum_section(user.id),
        "convocatorias_de_propuestas": _proposal_section(user.id),
        "seguimiento_y_evaluacion": _follow_up_section(user.id),
        "sesiones_de_rendicion_de_cuentas": _live_session_section(user.id),
    }
