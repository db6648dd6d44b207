"""Domain enumerations: English codes (DOMAIN.md) stored by value, Spanish labels through gettext."""

from enum import StrEnum
from functools import cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l


class LabelledEnum(StrEnum):
    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError

    @property
    def label(self):
        """The translated label; outside a request or app context, a lazy string."""
        locale = get_locale()
        if locale is None:
            return type(self)._labels()[self]
        return _translated_label(type(self), self.value, str(locale))


@cache
def _translated_label(enum_cls: type[LabelledEnum], value: str, locale: str) -> str:
    # Pages show hundreds of labels; translating each once per locale keeps them off the render path.
    # Keyed by class and value: members of different enums with the same code compare equal as strings.
    return str(enum_cls._labels()[enum_cls(value)])


class Role(LabelledEnum):
    CITIZEN = "citizen"
    MODERATOR = "moderator"
    OFFICIAL = "official"
    ADMIN = "admin"

    @classmethod
    def _labels(cls):
        return {
            cls.CITIZEN: _l("Ciudadano/a"),
            cls.MODERATOR: _l("Moderador/a"),
            cls.OFFICIAL: _l("Funcionario/a de un organismo"),
            cls.ADMIN: _l("Administrador/a"),
        }


class TerritoryKind(LabelledEnum):
    COMUNA = "comuna"
    CORREGIMIENTO = "corregimiento"

    @classmethod
    def _labels(cls):
        return {cls.COMUNA: _l("Comuna"), cls.CORREGIMIENTO: _l("Corregimiento")}


class OrganismKind(LabelledEnum):
    SECRETARIA = "secretaria"
    DEPARTAMENTO = "departamento"
    UNIDAD = "unidad"

    @classmethod
    def _labels(cls):
        return {
            cls.SECRETARIA: _l("Secretaría"),
            cls.DEPARTAMENTO: _l("Departamento administrativo"),
            cls.UNIDAD: _l("Unidad administrativa"),
        }


class Phase(LabelledEnum):
    """The planning cycle, in order."""

    DIAGNOSIS = "diagnosis"
    FORMULATION = "formulation"
    IMPLEMENTATION = "implementation"
    MONITORING = "monitoring"
    EVALUATION = "evaluation"

    @classmethod
    def _labels(cls):
        return {
            cls.DIAGNOSIS: _l("Diagnóstico"),
            cls.FORMULATION: _l("Formulación"),
            cls.IMPLEMENTATION: _l("Implementación"),
            cls.MONITORING: _l("Seguimiento"),
            cls.EVALUATION: _l("Evaluación"),
        }


class Procedure(LabelledEnum):
    """The three strands every action plan is grouped by."""

    PARTICIPATORY_PLANNING = "participatory_planning"
    SOCIAL_CONTROL = "social_control"
    PARTICIPATION_PROMOTION = "participation_promotion"

    @classmethod
    def _labels(cls):
        return {
            cls.PARTICIPATORY_PLANNING: _l("Planeación participativa"),
            cls.SOCIAL_CONTROL: _l("Control social"),
            cls.PARTICIPATION_PROMOTION: _l("Promoción de la participación"),
        }


class ActionStatus(LabelledEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SUSPENDED = "suspended"

    @classmethod
    def _labels(cls):
        return {
            cls.PLANNED: _l("Programada"),
            cls.IN_PROGRESS: _l("En ejecución"),
            cls.DONE: _l("Cumplida"),
            cls.SUSPENDED: _l("Suspendida"),
        }


class SpaceKind(LabelledEnum):
    FORUM = "forum"
    SURVEY = "survey"
    CONSULTATION = "consultation"
    PROPOSAL_CALL = "proposal_call"
    LIVE_SESSION = "live_session"

    @classmethod
    def _labels(cls):
        return {
            cls.FORUM: _l("Foro virtual"),
            cls.SURVEY: _l("Encuesta diagnóstica"),
            cls.CONSULTATION: _l("Consulta de borrador"),
            cls.PROPOSAL_CALL: _l("Convocatoria de propuestas"),
            cls.LIVE_SESSION: _l("Sesión de rendición de cuentas"),
        }


class SpaceState(LabelledEnum):
    """The lifecycle, in order; ``foro.services.spaces`` holds the allowed moves."""

    DRAFT = "draft"
    ANNOUNCED = "announced"
    OPEN = "open"
    CLOSED = "closed"
    RESULTS_PUBLISHED = "results_published"
    RESPONSE_GIVEN = "response_given"

    @classmethod
    def _labels(cls):
        return {
            cls.DRAFT: _l("Borrador"),
            cls.ANNOUNCED: _l("Convocado"),
            cls.OPEN: _l("Abierto"),
            cls.CLOSED: _l("Cerrado"),
            cls.RESULTS_PUBLISHED: _l("Resultados publicados"),
            cls.RESPONSE_GIVEN: _l("Respuesta institucional dada"),
        }


class ParticipationLevel(LabelledEnum):
    """The ladder of the municipal plan's section 1, from shallowest to deepest."""

    INFORMATIVE = "informative"
    CONSULTATION = "consultation"
    INFORMATION_SUPPLY = "information_supply"
    INCENTIVES = "incentives"
    FUNCTIONAL = "functional"
    INTERACTIVE = "interactive"
    SELF_DEVELOPMENT = "self_development"

    @classmethod
    def _labels(cls):
        return {
            cls.INFORMATIVE: _l("Informativa"),
            cls.CONSULTATION: _l("Consulta"),
            cls.INFORMATION_SUPPLY: _l("Suministro de información"),
            cls.INCENTIVES: _l("Por incentivos"),
            cls.FUNCTIONAL: _l("Funcional"),
            cls.INTERACTIVE: _l("Interactiva"),
            cls.SELF_DEVELOPMENT: _l("Autodesarrollo"),
        }


class AgeRange(LabelledEnum):
    UNDISCLOSED = "undisclosed"
    FROM_14_TO_17 = "14-17"
    FROM_18_TO_28 = "18-28"
    FROM_29_TO_45 = "29-45"
    FROM_46_TO_59 = "46-59"
    FROM_60 = "60+"

    @classmethod
    def _labels(cls):
        return {
            cls.UNDISCLOSED: _l("Prefiero no responder"),
            cls.FROM_14_TO_17: _l("14 a 17 años"),
            cls.FROM_18_TO_28: _l("18 a 28 años"),
            cls.FROM_29_TO_45: _l("29 a 45 años"),
            cls.FROM_46_TO_59: _l("46 a 59 años"),
            cls.FROM_60: _l("60 años o más"),
        }


class Gender(LabelledEnum):
    UNDISCLOSED = "undisclosed"
    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            cls.UNDISCLOSED: _l("Prefiero no responder"),
            cls.WOMAN: _l("Mujer"),
            cls.MAN: _l("Hombre"),
            cls.NON_BINARY: _l("No binario"),
            cls.OTHER: _l("Otro"),
        }


class EthnicGroup(LabelledEnum):
    UNDISCLOSED = "undisclosed"
    NONE = "none"
    AFRO = "afro"
    INDIGENOUS = "indigenous"
    RAIZAL = "raizal"
    PALENQUERO = "palenquero"
    ROM = "rom"

    @classmethod
    def _labels(cls):
        return {
            cls.UNDISCLOSED: _l("Prefiero no responder"),
            cls.NONE: _l("Ninguno"),
            cls.AFRO: _l("Negro, afrocolombiano o afrodescendiente"),
            cls.INDIGENOUS: _l("Indígena"),
            cls.RAIZAL: _l("Raizal"),
            cls.PALENQUERO: _l("Palenquero"),
            cls.ROM: _l("Rrom (gitano)"),
        }


class Disability(LabelledEnum):
    UNDISCLOSED = "undisclosed"
    NO = "no"
    YES = "yes"

    @classmethod
    def _labels(cls):
        return {
            cls.UNDISCLOSED: _l("Prefiero no responder"),
            cls.NO: _l("No"),
            cls.YES: _l("Sí"),
        }


class ModerationMode(LabelledEnum):
    PRE = "pre"
    POST = "post"

    @classmethod
    def _labels(cls):
        return {
            cls.PRE: _l("Premoderación: los aportes esperan aprobación"),
            cls.POST: _l("Posmoderación: los aportes se publican de inmediato"),
        }


class ContributionKind(LabelledEnum):
    """The types of a forum contribution, so that a forum builds an analysis, not a list of petitions."""

    PROBLEM = "problem"
    CAUSE = "cause"
    CONSEQUENCE = "consequence"
    PROPOSAL = "proposal"
    QUESTION = "question"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            cls.PROBLEM: _l("Problema"),
            cls.CAUSE: _l("Causa"),
            cls.CONSEQUENCE: _l("Consecuencia"),
            cls.PROPOSAL: _l("Propuesta"),
            cls.QUESTION: _l("Pregunta"),
            cls.OTHER: _l("Otro aporte"),
        }


class PostStatus(LabelledEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    FLAGGED = "flagged"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls):
        return {
            cls.PENDING: _l("En espera de aprobación"),
            cls.PUBLISHED: _l("Publicado"),
            cls.FLAGGED: _l("Oculto mientras se revisan los reportes"),
            cls.HIDDEN: _l("Ocultado por moderación"),
            cls.WITHDRAWN: _l("Retirado por su autor"),
        }


class FlagReason(LabelledEnum):
    INSULT = "insult"
    OFF_TOPIC = "off_topic"
    SPAM = "spam"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            cls.INSULT: _l("Insulto o irrespeto"),
            cls.OFF_TOPIC: _l("Fuera de tema"),
            cls.SPAM: _l("Publicidad o spam"),
            cls.PERSONAL_DATA: _l("Expone datos personales"),
            cls.OTHER: _l("Otro motivo"),
        }


class ModerationAction(LabelledEnum):
    APPROVE = "approve"
    HIDE = "hide"
    RESTORE = "restore"
    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
    MOVE = "move"
    MARK_DUPLICATE = "mark_duplicate"
    SUSPEND = "suspend"

    @classmethod
    def _labels(cls):
        return {
            cls.APPROVE: _l("Aprobó"),
            cls.HIDE: _l("Ocultó"),
            cls.RESTORE: _l("Restauró"),
            cls.LOCK: _l("Cerró el hilo"),
            cls.UNLOCK: _l("Reabrió el hilo"),
            cls.PIN: _l("Fijó el hilo"),
            cls.UNPIN: _l("Dejó de fijar el hilo"),
            cls.MOVE: _l("Movió a otro eje"),
            cls.MARK_DUPLICATE: _l("Marcó como duplicado"),
            cls.SUSPEND: _l("Suspendió a una persona del espacio"),
        }


class NotificationKind(LabelledEnum):
    REPLY = "reply"
    FOLLOWED_THREAD = "followed_thread"
    MODERATION = "moderation"
    PROPOSAL = "proposal"
    FOLLOWED_ITEM = "followed_item"
    INSTITUTIONAL_ANSWER = "institutional_answer"

    @classmethod
    def _labels(cls):
        return {
            cls.REPLY: _l("Respuesta a tu aporte"),
            cls.FOLLOWED_THREAD: _l("Novedad en un hilo que sigues"),
            cls.MODERATION: _l("Moderación de tu contenido"),
            cls.PROPOSAL: _l("Novedad en tu propuesta"),
            cls.FOLLOWED_ITEM: _l("Novedad en algo que sigues"),
            cls.INSTITUTIONAL_ANSWER: _l("Respuesta del organismo"),
        }


class VoteRule(LabelledEnum):
    """How a call for proposals counts votes."""

    SIMPLE = "simple"
    LIMITED = "limited"
    BUDGET = "budget"

    @classmethod
    def _labels(cls):
        return {
            cls.SIMPLE: _l("Apoyo simple: un voto por propuesta"),
            cls.LIMITED: _l("Votos limitados: hasta N propuestas por persona"),
            cls.BUDGET: _l("Presupuesto participativo: propuestas que caben en el presupuesto"),
        }


class CallWindow(LabelledEnum):
    """Where a call for proposals stands in time; computed, never stored."""

    NOT_OPEN = "not_open"
    PROPOSING = "proposing"
    CONCERTATION = "concertation"
    VOTING = "voting"
    FINISHED = "finished"

    @classmethod
    def _labels(cls):
        return {
            cls.NOT_OPEN: _l("Aún no abre"),
            cls.PROPOSING: _l("Recepción de propuestas"),
            cls.CONCERTATION: _l("Concertación"),
            cls.VOTING: _l("Votación"),
            cls.FINISHED: _l("Votación terminada"),
        }


class ProposalKind(LabelledEnum):
    ORIGINAL = "original"
    CONCERTED = "concerted"

    @classmethod
    def _labels(cls):
        return {cls.ORIGINAL: _l("Propuesta ciudadana"), cls.CONCERTED: _l("Propuesta concertada")}


class ProposalStatus(LabelledEnum):
    PUBLISHED = "published"
    HIDDEN = "hidden"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls):
        return {
            cls.PUBLISHED: _l("Publicada"),
            cls.HIDDEN: _l("Ocultada por moderación"),
            cls.MERGED: _l("Unida a otra propuesta"),
            cls.WITHDRAWN: _l("Retirada por su autor"),
        }


class Stance(LabelledEnum):
    """An original author's public position on the concerted proposal their proposal went into."""

    ENDORSE = "endorse"
    OBJECT = "object"

    @classmethod
    def _labels(cls):
        return {cls.ENDORSE: _l("Respalda"), cls.OBJECT: _l("Objeta")}


class AnswerDecision(LabelledEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"

    @classmethod
    def _labels(cls):
        return {
            cls.ACCEPTED: _l("Aceptada"),
            cls.PARTLY_ACCEPTED: _l("Aceptada en parte"),
            cls.REJECTED: _l("No aceptada"),
        }


class QuestionStatus(LabelledEnum):
    """A live-session question's way through the moderated queue."""

    PENDING = "pending"
    APPROVED = "approved"
    ANSWERING = "answering"
    ANSWERED = "answered"
    DISMISSED = "dismissed"

    @classmethod
    def _labels(cls):
        return {
            cls.PENDING: _l("Esperando moderación"),
            cls.APPROVED: _l("En la fila"),
            cls.ANSWERING: _l("Respondiéndose ahora"),
            cls.ANSWERED: _l("Respondida"),
            cls.DISMISSED: _l("Descartada"),
        }


class PollStatus(LabelledEnum):
    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {cls.OPEN: _l("Abierta"), cls.CLOSED: _l("Cerrada")}
