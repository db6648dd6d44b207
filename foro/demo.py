"""The demo data set: a believable year of citizen participation in Santiago de Cali.

``flask --app wsgi seed-demo`` loads it (foro/cli.py commits). Running it again adds nothing: every row
is looked up by its natural key first (a cycle by year, a plan by organism and cycle, an action by plan
and title, a user by email, a space by organism and title).

Spaces are created and moved through ``foro.services.spaces`` acting as the organism's demo official,
so their history (SpaceTransition) is the one the application itself writes. The demo then dates that
history back to the space's own schedule (see ``_date_history``), because a demo built in one run must
still show spaces that closed weeks ago, responses that are overdue and responses that are still in time.

Every demo account uses DEMO_PASSWORD; the README lists them.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from foro.demo_calls import C18_BUDGET_CALL, HILLSIDE_NIGHT_CALL, CallSeeder, DemoCall
from foro.demo_live import (
    COPACOS_SESSION,
    CYCLE_LANES_SESSION,
    PARTICIPATION_REPORT_SESSION,
    TREE_PLANTING_SESSION,
    DemoLive,
    LiveSeeder,
)
from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ActionStatus,
    AgeRange,
    ContributionKind,
    Cycle,
    CyclePhase,
    Disability,
    EthnicGroup,
    FlagReason,
    Forum,
    ForumPost,
    Gender,
    ModerationMode,
    Notification,
    Organism,
    ParticipationLevel,
    Phase,
    PostStatus,
    PostSupport,
    Procedure,
    Role,
    Space,
    SpaceKind,
    SpaceState,
    TargetGroup,
    Territory,
    TerritoryKind,
    User,
)
from foro.services.accounts import Profile, grant_role, normalise_email, register_user
from foro.services.business_days import add_business_days
from foro.services.forum_setup import DEFAULT_RULES, AxisSpec, ForumDetails, configure_forum, publish_synthesis
from foro.services.forums import follow, post_contribution, post_reply, support
from foro.services.moderation import approve_post, flag_post, hide_post
from foro.services.notifications import post_path
from foro.services.reference import load_reference_data
from foro.services.spaces import NEXT_STATE, SpaceDetails, change_space_state, create_space
from foro.timeutil import local_to_utc, local_today, now_utc, utc_to_local

DEMO_PASSWORD = "Demo-Foro-Cali-2026"
DEMO_CONSENT_CHANNEL = "demo"

COMUNA = TerritoryKind.COMUNA
CORREGIMIENTO = TerritoryKind.CORREGIMIENTO

# Target groups, by the names foro.services.reference loads.
NNA = "Niñas, niños y adolescentes"
YOUTH = "Jóvenes"
WOMEN = "Mujeres"
ELDERLY = "Personas mayores"
DISABLED = "Personas con discapacidad"
AFRO = "Comunidades negras, afrocolombianas, raizales y palenqueras"
INDIGENOUS = "Pueblos indígenas"
COMMUNITY_BOARDS = "Juntas de Acción Comunal y JAL"
ORGANISATIONS = "Organizaciones sociales y comunitarias"
BUSINESS = "Sector empresarial"
EVERYONE = "Ciudadanía en general"

EASTERN_DISTRICT = ((COMUNA, 13), (COMUNA, 14), (COMUNA, 15), (COMUNA, 21))
HILLSIDE = ((COMUNA, 1), (COMUNA, 18), (COMUNA, 20))
RIO_CALI_BASIN = ((CORREGIMIENTO, 56), (CORREGIMIENTO, 57), (CORREGIMIENTO, 58), (CORREGIMIENTO, 59))


# --- People -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    organism: str | None = None
    territory: tuple[TerritoryKind, int] | None = None
    age_range: AgeRange = AgeRange.UNDISCLOSED
    gender: Gender = Gender.UNDISCLOSED
    ethnic_group: EthnicGroup = EthnicGroup.UNDISCLOSED
    disability: Disability = Disability.UNDISCLOSED


ADMIN_EMAIL = "admin@demo.foro.cali"
SDTPC_OFFICIAL = "sdtpc@demo.foro.cali"
SMOV_OFFICIAL = "smov@demo.foro.cali"
DAGMA_OFFICIAL = "dagma@demo.foro.cali"
MODERATOR_1 = "moderacion1@demo.foro.cali"
MODERATOR_2 = "moderacion2@demo.foro.cali"
# Residents who take part in the demo forums.
YOLANDA = "ciudadana1@demo.foro.cali"
CAMILO = "ciudadano2@demo.foro.cali"
ROSA = "ciudadana3@demo.foro.cali"
HECTOR = "ciudadano4@demo.foro.cali"
LEIDY = "ciudadana5@demo.foro.cali"
BRAYAN = "ciudadano6@demo.foro.cali"
LUZ_DARY = "ciudadana7@demo.foro.cali"
GUSTAVO = "ciudadano8@demo.foro.cali"

DEMO_USERS = (
    DemoUser(ADMIN_EMAIL, "Administración Foro Cali", Role.ADMIN),
    DemoUser(SDTPC_OFFICIAL, "Diana Marcela Ospina", Role.OFFICIAL, organism="SDTPC"),
    DemoUser("ssp@demo.foro.cali", "Carlos Alberto Velasco", Role.OFFICIAL, organism="SSP"),
    DemoUser(SMOV_OFFICIAL, "Luisa Fernanda Cuero", Role.OFFICIAL, organism="SMOV"),
    DemoUser(DAGMA_OFFICIAL, "Julián Andrés Potes", Role.OFFICIAL, organism="DAGMA"),
    DemoUser("sem@demo.foro.cali", "Martha Lucía Saavedra", Role.OFFICIAL, organism="SEM"),
    DemoUser(MODERATOR_1, "Paola Andrea Riascos", Role.MODERATOR),
    DemoUser(MODERATOR_2, "Jhon Fredy Mosquera", Role.MODERATOR),
    DemoUser(
        YOLANDA,
        "Yolanda Angulo",
        Role.CITIZEN,
        territory=(COMUNA, 15),
        age_range=AgeRange.FROM_46_TO_59,
        gender=Gender.WOMAN,
        ethnic_group=EthnicGroup.AFRO,
        disability=Disability.NO,
    ),
    DemoUser(
        CAMILO,
        "Camilo Erazo",
        Role.CITIZEN,
        territory=(COMUNA, 2),
        age_range=AgeRange.FROM_18_TO_28,
        gender=Gender.MAN,
    ),
    DemoUser(
        ROSA,
        "Rosa Elvira Chocué",
        Role.CITIZEN,
        territory=(COMUNA, 20),
        age_range=AgeRange.FROM_60,
        gender=Gender.WOMAN,
        ethnic_group=EthnicGroup.INDIGENOUS,
        disability=Disability.YES,
    ),
    DemoUser(
        HECTOR,
        "Héctor Fabio Cortés",
        Role.CITIZEN,
        territory=(COMUNA, 1),
        age_range=AgeRange.FROM_46_TO_59,
        gender=Gender.MAN,
        ethnic_group=EthnicGroup.NONE,
        disability=Disability.NO,
    ),
    DemoUser(
        LEIDY,
        "Leidy Johana Mina",
        Role.CITIZEN,
        territory=(COMUNA, 21),
        age_range=AgeRange.FROM_29_TO_45,
        gender=Gender.WOMAN,
        ethnic_group=EthnicGroup.AFRO,
    ),
    DemoUser(
        BRAYAN,
        "Brayan Stiven Valencia",
        Role.CITIZEN,
        territory=(COMUNA, 13),
        age_range=AgeRange.FROM_18_TO_28,
        gender=Gender.MAN,
    ),
    DemoUser(
        LUZ_DARY,
        "Luz Dary Ocoró",
        Role.CITIZEN,
        territory=(COMUNA, 7),
        age_range=AgeRange.FROM_46_TO_59,
        gender=Gender.WOMAN,
        ethnic_group=EthnicGroup.AFRO,
        disability=Disability.NO,
    ),
    DemoUser(GUSTAVO, "Gustavo Adolfo Lenis", Role.CITIZEN, territory=(COMUNA, 14)),
)


# --- Action plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAction:
    """A plan line. Its progress is derived from today's date, so the demo looks current whenever it is loaded.

    ``pace`` is how fast the indicator moves compared with an even pace over ``months``: below 1 the
    action runs late, above 1 it finishes early.
    """

    key: str
    organism: str
    procedure: Procedure
    phase: Phase
    title: str
    objective: str
    goal: str
    indicator_name: str
    indicator_unit: str
    target: Decimal
    budget: Decimal
    office: str
    months: tuple[int, int]
    baseline: Decimal = Decimal(0)
    pace: float = 1.0
    step: Decimal = Decimal(1)
    suspended: bool = False
    territories: tuple[tuple[TerritoryKind, int], ...] = ()
    groups: tuple[str, ...] = ()


PP = Procedure.PARTICIPATORY_PLANNING
SC = Procedure.SOCIAL_CONTROL
PROMO = Procedure.PARTICIPATION_PROMOTION

CURRENT_ACTIONS = (
    # Secretaría de Desarrollo Territorial y Participación Ciudadana
    DemoAction(
        key="sdtpc-diagnosticos",
        organism="SDTPC",
        procedure=PP,
        phase=Phase.DIAGNOSIS,
        title="Diagnósticos participativos de comunas y corregimientos",
        objective=(
            "Identificar y priorizar con las comunidades los problemas de cada territorio, sus causas y sus "
            "consecuencias, como base de los Planes de Desarrollo de Comunas y Corregimientos."
        ),
        goal="Realizar 37 diagnósticos participativos (22 comunas y 15 corregimientos) con informe público.",
        indicator_name="Diagnósticos territoriales publicados",
        indicator_unit="diagnósticos publicados",
        target=Decimal(37),
        budget=Decimal(480_000_000),
        office="Subsecretaría de Desarrollo Territorial",
        months=(2, 6),
        territories=EASTERN_DISTRICT + HILLSIDE,
        groups=(COMMUNITY_BOARDS, ORGANISATIONS, EVERYONE),
    ),
    DemoAction(
        key="sdtpc-presupuesto",
        organism="SDTPC",
        procedure=PP,
        phase=Phase.FORMULATION,
        title="Acompañamiento a las JAL en la priorización del presupuesto participativo",
        objective=(
            "Que las decisiones sobre los recursos de presupuesto participativo se tomen en espacios abiertos "
            "de deliberación, con información sobre el cuánto y no solo sobre el dónde y el cómo."
        ),
        goal="Acompañar a las 37 Juntas Administradoras Locales en la priorización de sus proyectos de inversión.",
        indicator_name="JAL acompañadas en la priorización",
        indicator_unit="JAL acompañadas",
        target=Decimal(37),
        budget=Decimal(350_000_000),
        office="Subsecretaría de Desarrollo Territorial",
        months=(3, 7),
        pace=1.05,
        territories=((COMUNA, 18),),
        groups=(COMMUNITY_BOARDS,),
    ),
    DemoAction(
        key="sdtpc-veedurias",
        organism="SDTPC",
        procedure=SC,
        phase=Phase.MONITORING,
        title="Veedurías ciudadanas a los proyectos de presupuesto participativo",
        objective=(
            "Fortalecer el control social sobre la ejecución de los proyectos priorizados por las comunidades, "
            "con acceso a los informes de los operadores."
        ),
        goal="Conformar y acompañar 60 veedurías ciudadanas.",
        indicator_name="Veedurías conformadas y acompañadas",
        indicator_unit="veedurías",
        baseline=Decimal(18),
        target=Decimal(60),
        budget=Decimal(210_000_000),
        office="Subsecretaría de Participación Ciudadana",
        months=(4, 11),
        pace=0.8,
        groups=(ORGANISATIONS, COMMUNITY_BOARDS),
    ),
    DemoAction(
        key="sdtpc-escuela",
        organism="SDTPC",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Escuela de Participación Ciudadana",
        objective=(
            "Formar a líderes, lideresas y jóvenes en mecanismos de participación, control social y "
            "formulación de proyectos, para que propongan, concerten, controlen y evalúen."
        ),
        goal="Formar 1.200 personas en los 37 territorios, con al menos 40 % de jóvenes.",
        indicator_name="Personas que terminan el ciclo de formación",
        indicator_unit="personas formadas",
        target=Decimal(1200),
        budget=Decimal(620_000_000),
        office="Subsecretaría de Participación Ciudadana",
        months=(3, 11),
        pace=0.95,
        territories=EASTERN_DISTRICT + ((COMUNA, 20), (CORREGIMIENTO, 56)),
        groups=(YOUTH, WOMEN, ORGANISATIONS),
    ),
    DemoAction(
        key="sdtpc-jac",
        organism="SDTPC",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Fortalecimiento de las Juntas de Acción Comunal",
        objective=(
            "Brindar asistencia técnica a las Juntas de Acción Comunal en planeación, gestión de proyectos y "
            "rendición de cuentas a sus afiliados."
        ),
        goal="Asistir técnicamente a 300 Juntas de Acción Comunal.",
        indicator_name="Juntas de Acción Comunal con asistencia técnica",
        indicator_unit="JAC asistidas",
        target=Decimal(300),
        budget=Decimal(290_000_000),
        office="Subsecretaría de Participación Ciudadana",
        months=(2, 12),
        pace=1.1,
        groups=(COMMUNITY_BOARDS,),
    ),
    DemoAction(
        key="sdtpc-rendicion",
        organism="SDTPC",
        procedure=SC,
        phase=Phase.MONITORING,
        title="Rendición de cuentas territorial de la Secretaría",
        objective=(
            "Informar y dialogar con la ciudadanía sobre los resultados de la Secretaría en cada territorio, "
            "en lenguaje comprensible y con compromisos verificables."
        ),
        goal="Realizar 8 audiencias de rendición de cuentas: 1 general y 7 territoriales.",
        indicator_name="Audiencias de rendición de cuentas realizadas",
        indicator_unit="audiencias",
        target=Decimal(8),
        budget=Decimal(95_000_000),
        office="Despacho de la Secretaría",
        months=(6, 12),
        groups=(EVERYONE,),
    ),
    # Secretaría de Salud Pública
    DemoAction(
        key="ssp-salud-mental",
        organism="SSP",
        procedure=PP,
        phase=Phase.DIAGNOSIS,
        title="Diagnóstico comunitario de salud mental juvenil",
        objective=(
            "Conocer, desde los propios jóvenes, los factores de riesgo y de protección de la salud mental en "
            "el oriente de Cali."
        ),
        goal="Lograr 3.000 encuestas respondidas y 12 grupos focales en las comunas 13, 14, 15 y 21.",
        indicator_name="Encuestas diagnósticas respondidas",
        indicator_unit="encuestas respondidas",
        target=Decimal(3000),
        budget=Decimal(180_000_000),
        office="Subsecretaría de Promoción, Prevención y Producción Social de la Salud",
        months=(2, 12),
        pace=0.9,
        territories=EASTERN_DISTRICT,
        groups=(YOUTH, NNA),
    ),
    DemoAction(
        key="ssp-plan-territorial",
        organism="SSP",
        procedure=PP,
        phase=Phase.FORMULATION,
        title="Formulación participativa del Plan Territorial de Salud",
        objective="Incorporar las prioridades de las comunidades al Plan Territorial de Salud.",
        goal="Realizar 37 mesas territoriales de salud, una por comuna y corregimiento.",
        indicator_name="Mesas territoriales de salud realizadas",
        indicator_unit="mesas realizadas",
        target=Decimal(37),
        budget=Decimal(240_000_000),
        office="Oficina de Planeación de Salud",
        months=(4, 10),
        pace=0.9,
        territories=HILLSIDE,
        groups=(EVERYONE, ORGANISATIONS),
    ),
    DemoAction(
        key="ssp-copacos",
        organism="SSP",
        procedure=SC,
        phase=Phase.MONITORING,
        title="Seguimiento ciudadano a la red pública con los COPACOS",
        objective=(
            "Que los Comités de Participación Comunitaria en Salud hagan seguimiento a la calidad y la "
            "oportunidad de la atención en la red pública."
        ),
        goal="Acompañar a 22 COPACOS con sesiones trimestrales de seguimiento.",
        indicator_name="COPACOS acompañados",
        indicator_unit="COPACOS acompañados",
        baseline=Decimal(10),
        target=Decimal(22),
        budget=Decimal(120_000_000),
        office="Subsecretaría de Gestión de la Participación Social en Salud",
        months=(2, 12),
        groups=(ORGANISATIONS, ELDERLY),
    ),
    DemoAction(
        key="ssp-agentes",
        organism="SSP",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Formación de agentes comunitarios de salud rural",
        objective=(
            "Formar a habitantes de los corregimientos como agentes comunitarios que orientan a sus vecinos "
            "sobre rutas de atención y prevención."
        ),
        goal="Formar 450 agentes comunitarios de salud en los 15 corregimientos.",
        indicator_name="Agentes comunitarios de salud formados",
        indicator_unit="personas formadas",
        target=Decimal(450),
        budget=Decimal(310_000_000),
        office="Subsecretaría de Promoción, Prevención y Producción Social de la Salud",
        months=(3, 10),
        territories=((CORREGIMIENTO, 54), (CORREGIMIENTO, 56), (CORREGIMIENTO, 57), (CORREGIMIENTO, 64)),
        groups=(WOMEN, ELDERLY),
    ),
    # Secretaría de Movilidad
    DemoAction(
        key="smov-entornos",
        organism="SMOV",
        procedure=PP,
        phase=Phase.DIAGNOSIS,
        title="Diagnóstico participativo de seguridad vial en entornos escolares",
        objective=(
            "Identificar con estudiantes, familias y docentes los puntos de riesgo vial alrededor de los "
            "colegios."
        ),
        goal="Diagnosticar 60 entornos escolares con recorridos comunitarios.",
        indicator_name="Entornos escolares diagnosticados",
        indicator_unit="entornos escolares",
        target=Decimal(60),
        budget=Decimal(150_000_000),
        office="Subsecretaría de Movilidad Sostenible y Seguridad Vial",
        months=(1, 6),
        territories=((COMUNA, 2), (COMUNA, 17), (COMUNA, 19), (COMUNA, 22)),
        groups=(NNA, EVERYONE),
    ),
    DemoAction(
        key="smov-pimu",
        organism="SMOV",
        procedure=PP,
        phase=Phase.FORMULATION,
        title="Ajuste participativo del Plan Integral de Movilidad Urbana",
        objective=(
            "Poner a consideración de la ciudadanía el borrador de ajuste del PIMU y responder públicamente "
            "cada aporte."
        ),
        goal="Analizar y responder públicamente 800 aportes ciudadanos al borrador.",
        indicator_name="Aportes ciudadanos respondidos",
        indicator_unit="aportes respondidos",
        target=Decimal(800),
        budget=Decimal(420_000_000),
        office="Subsecretaría de Planeación de la Movilidad",
        months=(5, 12),
        groups=(EVERYONE, BUSINESS),
    ),
    DemoAction(
        key="smov-ladera",
        organism="SMOV",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Mesas de movilidad de ladera con transportadores y comunidad",
        objective="Concertar con comunidad y transportadores soluciones de transporte para los barrios de ladera.",
        goal="Realizar 12 mesas de movilidad en las comunas 1, 18 y 20.",
        indicator_name="Mesas de movilidad de ladera realizadas",
        indicator_unit="mesas realizadas",
        target=Decimal(12),
        budget=Decimal(85_000_000),
        office="Subsecretaría de Servicios de Movilidad",
        months=(3, 11),
        pace=0.7,
        territories=HILLSIDE,
        groups=(COMMUNITY_BOARDS, BUSINESS, EVERYONE),
    ),
    DemoAction(
        key="smov-ciclorrutas",
        organism="SMOV",
        procedure=SC,
        phase=Phase.MONITORING,
        title="Seguimiento ciudadano a la construcción de ciclorrutas",
        objective=(
            "Que la ciudadanía y los colectivos de ciclistas sigan, tramo a tramo, la construcción de la red "
            "de ciclorrutas."
        ),
        goal="Construir 25 km de ciclorruta con seguimiento ciudadano en cada tramo.",
        indicator_name="Kilómetros de ciclorruta construidos",
        indicator_unit="km de ciclorruta",
        target=Decimal(25),
        step=Decimal("0.1"),
        budget=Decimal(9_800_000_000),
        office="Subsecretaría de Movilidad Sostenible y Seguridad Vial",
        months=(2, 12),
        pace=0.85,
        territories=((COMUNA, 2), (COMUNA, 17), (COMUNA, 19), (COMUNA, 22)),
        groups=(YOUTH, EVERYONE),
    ),
    # Departamento Administrativo de Gestión del Medio Ambiente
    DemoAction(
        key="dagma-humedales",
        organism="DAGMA",
        procedure=PP,
        phase=Phase.DIAGNOSIS,
        title="Diagnóstico participativo de humedales y ecoparques",
        objective=(
            "Reconocer con las comunidades vecinas el estado de los humedales y ecoparques, sus amenazas y "
            "sus usos."
        ),
        goal="Realizar 15 recorridos de diagnóstico comunitario con informe público.",
        indicator_name="Recorridos de diagnóstico realizados",
        indicator_unit="recorridos",
        target=Decimal(15),
        budget=Decimal(95_000_000),
        office="Subdirección de Ecosistemas",
        months=(2, 5),
        territories=((COMUNA, 17), (COMUNA, 22), (CORREGIMIENTO, 53), (CORREGIMIENTO, 54)),
        groups=(ORGANISATIONS, EVERYONE),
    ),
    DemoAction(
        key="dagma-cac",
        organism="DAGMA",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Fortalecimiento de los Comités Ambientales Comunitarios",
        objective=(
            "Fortalecer los Comités Ambientales Comunitarios (CAC) de cada comuna como instancia de "
            "participación ambiental ante el Consejo Ambiental Comunitario Municipal."
        ),
        goal="Acompañar a 22 Comités Ambientales Comunitarios en la formulación de su plan de trabajo.",
        indicator_name="CAC con plan de trabajo",
        indicator_unit="CAC fortalecidos",
        baseline=Decimal(8),
        target=Decimal(22),
        budget=Decimal(130_000_000),
        office="Grupo de Educación Ambiental",
        months=(3, 11),
        territories=((COMUNA, 6), (COMUNA, 7), (COMUNA, 13), (COMUNA, 21)),
        groups=(ORGANISATIONS, COMMUNITY_BOARDS),
    ),
    DemoAction(
        key="dagma-arborizacion",
        organism="DAGMA",
        procedure=SC,
        phase=Phase.MONITORING,
        title="Control social al programa de arborización urbana",
        objective="Que la ciudadanía verifique la siembra y el mantenimiento de los árboles del programa.",
        goal="Sembrar 15.000 árboles con verificación ciudadana de su supervivencia.",
        indicator_name="Árboles sembrados y verificados",
        indicator_unit="árboles sembrados",
        target=Decimal(15000),
        budget=Decimal(2_300_000_000),
        office="Subdirección de Gestión Integral de Ecosistemas",
        months=(2, 12),
        pace=1.05,
        territories=((COMUNA, 6), (COMUNA, 11), (COMUNA, 16), (COMUNA, 21)),
        groups=(EVERYONE, ORGANISATIONS),
    ),
    DemoAction(
        key="dagma-rio-cali",
        organism="DAGMA",
        procedure=PP,
        phase=Phase.FORMULATION,
        title="Formulación participativa del plan de manejo de la cuenca del río Cali",
        objective="Construir con las comunidades de la cuenca alta y media los acuerdos de manejo del río.",
        goal="Realizar 10 talleres de formulación con comunidades de la cuenca.",
        indicator_name="Talleres de formulación realizados",
        indicator_unit="talleres",
        target=Decimal(10),
        budget=Decimal(160_000_000),
        office="Subdirección de Ecosistemas",
        months=(5, 12),
        pace=0.8,
        territories=RIO_CALI_BASIN + ((COMUNA, 2), (COMUNA, 3)),
        groups=(ORGANISATIONS, INDIGENOUS),
    ),
    # Secretaría de Educación
    DemoAction(
        key="sem-desercion",
        organism="SEM",
        procedure=PP,
        phase=Phase.DIAGNOSIS,
        title="Diagnóstico de las causas de la deserción escolar con familias y estudiantes",
        objective=(
            "Conocer, desde las familias y los estudiantes, por qué se van de la escuela, para orientar las "
            "estrategias de permanencia."
        ),
        goal="Lograr la participación de las 91 instituciones educativas oficiales en el diagnóstico.",
        indicator_name="Instituciones educativas participantes",
        indicator_unit="instituciones educativas",
        target=Decimal(91),
        budget=Decimal(140_000_000),
        office="Subsecretaría de Cobertura Educativa",
        months=(2, 7),
        territories=((COMUNA, 14), (COMUNA, 15), (COMUNA, 16), (COMUNA, 21), (CORREGIMIENTO, 51)),
        groups=(NNA, YOUTH, AFRO),
    ),
    DemoAction(
        key="sem-pem",
        organism="SEM",
        procedure=PP,
        phase=Phase.FORMULATION,
        title="Lineamientos del Plan Educativo Municipal construidos con la comunidad educativa",
        objective=(
            "Recoger y responder los aportes de docentes, familias y estudiantes al borrador de lineamientos "
            "del Plan Educativo Municipal."
        ),
        goal="Publicar la versión final de los lineamientos con la respuesta a cada aporte recibido.",
        indicator_name="Aportes respondidos públicamente",
        indicator_unit="aportes respondidos",
        target=Decimal(386),
        budget=Decimal(75_000_000),
        office="Subsecretaría de Calidad Educativa",
        months=(1, 5),
        groups=(NNA, EVERYONE),
    ),
    DemoAction(
        key="sem-pae",
        organism="SEM",
        procedure=SC,
        phase=Phase.MONITORING,
        title="Veeduría ciudadana al Programa de Alimentación Escolar (PAE)",
        objective=(
            "Que familias y comités de alimentación escolar vigilen la calidad, la cantidad y la oportunidad "
            "de los alimentos."
        ),
        goal="Realizar 180 visitas de seguimiento con comités de alimentación escolar.",
        indicator_name="Visitas de seguimiento con comités de alimentación escolar",
        indicator_unit="visitas de seguimiento",
        target=Decimal(180),
        budget=Decimal(60_000_000),
        office="Programa de Alimentación Escolar",
        months=(2, 11),
        groups=(NNA, ORGANISATIONS),
    ),
    DemoAction(
        key="sem-gobierno-escolar",
        organism="SEM",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Formación en gobierno escolar y personería estudiantil",
        objective=(
            "Fortalecer la participación de los estudiantes en el gobierno escolar y en las decisiones de sus "
            "instituciones."
        ),
        goal="Formar 2.000 estudiantes líderes, personeros y contralores estudiantiles.",
        indicator_name="Estudiantes formados en participación escolar",
        indicator_unit="estudiantes formados",
        target=Decimal(2000),
        budget=Decimal(110_000_000),
        office="Subsecretaría de Calidad Educativa",
        months=(3, 10),
        territories=((COMUNA, 14), (COMUNA, 15), (COMUNA, 18)),
        groups=(NNA, YOUTH),
    ),
    DemoAction(
        key="sem-cabildos",
        organism="SEM",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Cabildos estudiantiles por comuna",
        objective="Abrir espacios de diálogo entre los estudiantes y la Secretaría en cada comuna.",
        goal="Realizar 22 cabildos estudiantiles, uno por comuna.",
        indicator_name="Cabildos estudiantiles realizados",
        indicator_unit="cabildos realizados",
        target=Decimal(22),
        budget=Decimal(45_000_000),
        office="Subsecretaría de Calidad Educativa",
        months=(4, 11),
        pace=0.4,
        suspended=True,
        groups=(YOUTH,),
    ),
)

# The previous vigencia, closed: what its evaluation spaces looked back on.
PREVIOUS_ACTIONS = (
    DemoAction(
        key="prev-sdtpc-escuela",
        organism="SDTPC",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Escuela de Participación Ciudadana",
        objective="Formar a líderes y lideresas en mecanismos de participación y control social.",
        goal="Formar 900 personas en las comunas y corregimientos.",
        indicator_name="Personas que terminan el ciclo de formación",
        indicator_unit="personas formadas",
        target=Decimal(900),
        budget=Decimal(540_000_000),
        office="Subsecretaría de Participación Ciudadana",
        months=(3, 11),
        pace=1.04,
        groups=(YOUTH, WOMEN, ORGANISATIONS),
    ),
    DemoAction(
        key="prev-sdtpc-diagnosticos",
        organism="SDTPC",
        procedure=PP,
        phase=Phase.DIAGNOSIS,
        title="Diagnósticos participativos de comunas",
        objective="Identificar con las comunidades los problemas de cada comuna.",
        goal="Realizar 22 diagnósticos participativos, uno por comuna.",
        indicator_name="Diagnósticos de comuna publicados",
        indicator_unit="diagnósticos publicados",
        target=Decimal(22),
        budget=Decimal(390_000_000),
        office="Subsecretaría de Desarrollo Territorial",
        months=(2, 7),
        groups=(COMMUNITY_BOARDS, EVERYONE),
    ),
    DemoAction(
        key="prev-sdtpc-rendicion",
        organism="SDTPC",
        procedure=SC,
        phase=Phase.EVALUATION,
        title="Rendición de cuentas territorial de la Secretaría",
        objective="Informar y dialogar con la ciudadanía sobre los resultados de la Secretaría.",
        goal="Realizar 6 audiencias de rendición de cuentas.",
        indicator_name="Audiencias de rendición de cuentas realizadas",
        indicator_unit="audiencias",
        target=Decimal(6),
        budget=Decimal(80_000_000),
        office="Despacho de la Secretaría",
        months=(6, 12),
        groups=(EVERYONE,),
    ),
    DemoAction(
        key="prev-dagma-arborizacion",
        organism="DAGMA",
        procedure=SC,
        phase=Phase.MONITORING,
        title="Control social al programa de arborización urbana",
        objective="Que la ciudadanía verifique la siembra de los árboles del programa.",
        goal="Sembrar 12.000 árboles con verificación ciudadana.",
        indicator_name="Árboles sembrados y verificados",
        indicator_unit="árboles sembrados",
        target=Decimal(12000),
        budget=Decimal(1_900_000_000),
        office="Subdirección de Gestión Integral de Ecosistemas",
        months=(2, 11),
        pace=1.02,
        groups=(EVERYONE,),
    ),
    DemoAction(
        key="prev-dagma-cac",
        organism="DAGMA",
        procedure=PROMO,
        phase=Phase.IMPLEMENTATION,
        title="Conformación de Comités Ambientales Comunitarios",
        objective="Conformar los primeros Comités Ambientales Comunitarios de las comunas.",
        goal="Conformar 8 Comités Ambientales Comunitarios.",
        indicator_name="CAC conformados",
        indicator_unit="CAC conformados",
        target=Decimal(8),
        budget=Decimal(70_000_000),
        office="Grupo de Educación Ambiental",
        months=(3, 10),
        groups=(ORGANISATIONS,),
    ),
    DemoAction(
        key="prev-dagma-aire",
        organism="DAGMA",
        procedure=PP,
        phase=Phase.DIAGNOSIS,
        title="Diagnóstico participativo de la calidad del aire",
        objective="Construir con las comunidades el mapa de las fuentes de contaminación del aire que perciben.",
        goal="Realizar 10 talleres de diagnóstico en las comunas con más quejas por calidad del aire.",
        indicator_name="Talleres de diagnóstico realizados",
        indicator_unit="talleres",
        target=Decimal(10),
        budget=Decimal(60_000_000),
        office="Subdirección de Calidad Ambiental",
        months=(2, 6),
        groups=(EVERYONE,),
    ),
)


# --- Forums -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoContribution:
    """A contribution (thread head) as a resident wrote it.

    ``when`` is (days after the forum opened, hour, minute) in Cali time. ``axis`` is the position of
    its axis; a contribution under a ``problem`` (the key of an earlier contribution) takes the
    problem's. ``flags`` are (reporter, reason, note); ``hidden_because`` is the reason the space's
    moderator gives when hiding it. In a pre-moderated forum the moderator approves it unless
    ``approved`` is False, which leaves it waiting in the moderation queue.
    """

    key: str
    author: str
    kind: ContributionKind
    title: str
    body: str
    when: tuple[int, int, int]
    axis: int = 0
    problem: str | None = None
    supporters: tuple[str, ...] = ()
    followers: tuple[str, ...] = ()
    flags: tuple[tuple[str, FlagReason, str], ...] = ()
    hidden_because: str = ""
    approved: bool = True


@dataclass(frozen=True)
class DemoReply:
    """A reply in the thread of the contribution ``thread``; ``quote`` is the key of the post it quotes."""

    thread: str
    author: str
    body: str
    when: tuple[int, int, int]
    key: str = ""
    quote: str | None = None


@dataclass(frozen=True)
class DemoForum:
    """A forum as its organism's official opens it (``rules`` follow the default rules), and what
    residents wrote in it; ``synthesis`` is the relatoría published once it closes, citing ``cited``."""

    topic: str
    context: str
    rules: str
    axes: tuple[AxisSpec, ...]
    contributions: tuple[DemoContribution, ...]
    replies: tuple[DemoReply, ...] = ()
    moderation_mode: ModerationMode = ModerationMode.POST
    synthesis: str = ""
    cited: tuple[str, ...] = ()


PROBLEM = ContributionKind.PROBLEM
CAUSE = ContributionKind.CAUSE
CONSEQUENCE = ContributionKind.CONSEQUENCE
PROPOSAL = ContributionKind.PROPOSAL
QUESTION = ContributionKind.QUESTION
OTHER = ContributionKind.OTHER

# SDTPC, open and post-moderated: why people do not take part in the decisions of their comuna.
PARTICIPATION_FORUM = DemoForum(
    topic="¿Qué nos impide participar en las decisiones de nuestra comuna?",
    context=(
        "<p>En las comunas 13, 14, 15 y 21 las Juntas Administradoras Locales (JAL) priorizan cada año los "
        "proyectos del presupuesto participativo, y las Juntas de Acción Comunal convocan a sus afiliados. Pero "
        "a las reuniones llega poca gente, y casi siempre la misma.</p>"
        "<p>El Plan Municipal de Participación Ciudadana encontró que la información sobre los problemas y los "
        "planes de inversión de cada comuna es difícil de encontrar y que muchos espacios se quedan en la "
        "consulta. Queremos entender por qué con ustedes: qué problemas ven, qué los causa, qué consecuencias "
        "tienen y qué proponen.</p>"
        '<p>Antes de participar puedes consultar las <a href="https://www.cali.gov.co/participacion/publicaciones/'
        '133015/instancias-de-participacion-ciudadana-del-municipio-de-santiago-de-cali/">instancias de '
        "participación ciudadana de Cali</a>. Lo que se diga aquí alimenta los diagnósticos participativos de "
        "estas cuatro comunas.</p>"
    ),
    rules=(
        "<p>Mientras dure la campaña a las Juntas Administradoras Locales, este foro no publica mensajes que "
        "pidan votos por candidatas, candidatos o listas.</p>"
    ),
    axes=(
        AxisSpec(
            "Acceso a la información",
            "Qué sabemos, y qué no, de los problemas y de los planes de inversión de la comuna.",
        ),
        AxisSpec(
            "Espacios de diálogo",
            "Las sesiones de la JAL, las reuniones de las Juntas de Acción Comunal y los espacios que faltan.",
        ),
        AxisSpec("Quiénes participan", "Quiénes llegan hoy a las decisiones y quiénes se quedan por fuera."),
    ),
    contributions=(
        DemoContribution(
            key="sin-informacion",
            author=YOLANDA,
            kind=PROBLEM,
            axis=0,
            title="No sabemos en qué se gasta el presupuesto participativo de la comuna",
            body=(
                "<p>Cada año la JAL de la Comuna 15 prioriza proyectos, pero los vecinos nos enteramos de lo que se "
                "aprobó cuando ya llegó el contratista, o nunca. En el C.A.L.I. me dijeron que las actas están en "
                "la página de la Alcaldía, pero nadie en mi cuadra sabe buscarlas.</p>"
                "<p>Así no se puede proponer nada ni hacer seguimiento: uno llega a la reunión a opinar sobre algo "
                "que ya está decidido.</p>"
            ),
            when=(0, 10, 15),
            supporters=(BRAYAN, LEIDY, CAMILO),
            followers=(LEIDY,),
        ),
        DemoContribution(
            key="actas-escaneadas",
            author=BRAYAN,
            kind=CAUSE,
            problem="sin-informacion",
            title="Las actas de la JAL se publican tarde y en PDF escaneado",
            body=(
                "<p>Busqué las actas de la JAL de la 13: están en PDF escaneado, sin buscador, y la más reciente "
                "que encontré era de hace cuatro meses. Desde el celular no se pueden leer. Si la información "
                "existe pero nadie la puede usar, es como si no existiera.</p>"
            ),
            when=(1, 19, 40),
            supporters=(YOLANDA, LEIDY),
        ),
        DemoContribution(
            key="convocatorias-whatsapp",
            author=LEIDY,
            kind=CAUSE,
            problem="sin-informacion",
            title="Las convocatorias solo llegan a un grupo de WhatsApp",
            body=(
                "<p>En Desepaz las reuniones de la JAL y de la Junta de Acción Comunal se avisan por un grupo de "
                "WhatsApp donde están los mismos de siempre. Si uno no conoce al presidente de la junta, no se "
                "entera. Ya no ponen carteleras en la tienda ni en la parroquia, como antes.</p>"
            ),
            when=(2, 7, 50),
            supporters=(YOLANDA,),
        ),
        DemoContribution(
            key="desconfianza",
            author=GUSTAVO,
            kind=CONSEQUENCE,
            problem="sin-informacion",
            title="La gente deja de creer y no vuelve a las reuniones",
            body=(
                "<p>En Manuela Beltrán pasó con el parque: se votó en una asamblea y a los dos años nadie sabía qué "
                "había pasado con la plata. A la siguiente convocatoria llegaron doce personas. La desconfianza se "
                "hereda: mis hijos dicen que eso ya está arreglado de antemano.</p>"
            ),
            when=(3, 12, 5),
            supporters=(YOLANDA, BRAYAN),
        ),
        DemoContribution(
            key="tablero-publico",
            author=YOLANDA,
            kind=PROPOSAL,
            problem="sin-informacion",
            title="Un tablero público por comuna con cada proyecto del presupuesto participativo",
            body=(
                "<p>Que en Foro, en el C.A.L.I. y en la cartelera de cada sede comunal aparezca la lista de "
                "proyectos priorizados por la JAL, con su valor, el contratista, el avance y la fecha de entrega, "
                "en lenguaje sencillo.</p>"
                "<p>Y que cada trimestre la JAL rinda cuentas en una asamblea abierta con esa misma "
                "información.</p>"
            ),
            when=(4, 9, 30),
            supporters=(BRAYAN, LEIDY, GUSTAVO, CAMILO, ROSA),
            followers=(BRAYAN,),
        ),
        DemoContribution(
            key="horario-jal",
            author=LEIDY,
            kind=PROBLEM,
            axis=1,
            title="Las sesiones de la JAL son a la hora en que la gente trabaja",
            body=(
                "<p>La JAL se reúne entre semana a las 3 de la tarde. A esa hora los que trabajamos estamos en el "
                "puesto o en el bus. Al final deciden los pensionados y los que tienen algún contrato con la "
                "comuna, que sí pueden ir. No es que a la gente no le interese: es que no puede.</p>"
            ),
            when=(1, 21, 5),
            supporters=(YOLANDA, BRAYAN, CAMILO),
        ),
        DemoContribution(
            key="sin-transmision",
            author=BRAYAN,
            kind=CAUSE,
            problem="horario-jal",
            title="Las sesiones no se transmiten ni quedan grabadas",
            body=(
                "<p>Si la sesión se transmitiera en vivo o quedara grabada, uno podría verla en la noche y dejar "
                "sus preguntas. Hoy la única forma de enterarse es ir al salón, y el salón queda lejos para los "
                "que vivimos al fondo del barrio.</p>"
            ),
            when=(5, 20, 10),
        ),
        DemoContribution(
            key="sesion-nocturna",
            author=LEIDY,
            kind=PROPOSAL,
            problem="horario-jal",
            title="Una sesión abierta de la JAL al mes, en la noche o el sábado",
            body=(
                "<p>No pedimos que todas cambien. Que una sesión al mes sea abierta a la comunidad, en la noche o "
                "el sábado en la mañana, rotando entre los barrios de la comuna, con el orden del día publicado "
                "una semana antes.</p>"
            ),
            when=(6, 8, 20),
            supporters=(YOLANDA, GUSTAVO, BRAYAN),
        ),
        DemoContribution(
            key="jovenes",
            author=BRAYAN,
            kind=PROBLEM,
            axis=2,
            title="Los jóvenes no nos sentimos bienvenidos en las juntas",
            body=(
                "<p>Cuando un joven va a una reunión de la Junta de Acción Comunal le dicen que se afilie y espere "
                "su turno, y los temas son siempre los mismos. Los colectivos de la 13 hacemos cosas por el barrio, "
                "como la olla comunitaria, el torneo y los murales, pero eso no cuenta como participación para "
                "nadie.</p>"
            ),
            when=(2, 21, 30),
            supporters=(CAMILO, YOLANDA),
        ),
        DemoContribution(
            key="colectivos-por-fuera",
            author=CAMILO,
            kind=CONSEQUENCE,
            problem="jovenes",
            title="Los procesos juveniles quedan por fuera del presupuesto participativo",
            body=(
                "<p>Vivo en la Comuna 2, pero acompaño un colectivo de hip hop en Marroquín. Como no somos una "
                "organización con personería jurídica, ninguna propuesta nuestra llega a la priorización. "
                "Terminamos dependiendo de que alguien se acuerde de nosotros en época de elecciones.</p>"
            ),
            when=(3, 16, 45),
            supporters=(BRAYAN,),
        ),
        DemoContribution(
            key="pedir-la-palabra",
            author=LUZ_DARY,
            kind=QUESTION,
            axis=1,
            title="¿Cómo puede uno pedir la palabra en una sesión de la JAL?",
            body=(
                "<p>¿Alguien sabe si uno, sin ser edil ni directivo de una junta, puede intervenir en una sesión "
                "de la JAL? ¿Hay que inscribirse antes? En la Comuna 7 nadie me supo decir.</p>"
            ),
            when=(7, 18, 0),
            followers=(GUSTAVO,),
        ),
        DemoContribution(
            key="propaganda",
            author=GUSTAVO,
            kind=OTHER,
            axis=2,
            title="Este domingo, todos a votar por la lista 4 a la JAL de la 14",
            body=(
                "<p>Vecinos: los que estamos cansados de lo mismo tenemos una opción. Este domingo votemos por la "
                "lista 4 a la Junta Administradora Local de la Comuna 14. Los esperamos en el puesto de votación "
                "del colegio; compartan este mensaje y únanse al grupo de la campaña. ¡Por una JAL que sí le "
                "cumpla a la 14!</p>"
            ),
            when=(8, 11, 0),
            flags=(
                (BRAYAN, FlagReason.SPAM, "Es propaganda de una campaña, no un aporte al foro."),
                (YOLANDA, FlagReason.OTHER, "Las reglas del foro dicen que no se permite propaganda política."),
            ),
            hidden_because=(
                "Propaganda electoral: las reglas de este foro no permiten pedir votos por candidaturas o listas. "
                "Puedes escribir de nuevo tu aporte sobre lo que impide participar en la Comuna 14, sin pedir "
                "votos."
            ),
        ),
    ),
    replies=(
        DemoReply(
            thread="sin-informacion",
            key="derecho-de-peticion",
            author=CAMILO,
            body=(
                "<p>En la Comuna 2 pasa igual. Hace poco pedí con un derecho de petición la lista de proyectos de "
                "la comuna y me la mandaron completa en quince días hábiles. O sea que la información existe; lo "
                "que falta es que la publiquen sin que uno tenga que pedirla.</p>"
            ),
            when=(1, 9, 0),
        ),
        DemoReply(
            thread="sin-informacion",
            quote="derecho-de-peticion",
            author=YOLANDA,
            body=(
                "<p>Buena idea lo del derecho de petición, Camilo. Lo voy a proponer en la junta para que lo "
                "hagamos entre varios y pongamos la respuesta en la cartelera.</p>"
            ),
            when=(1, 18, 30),
        ),
        DemoReply(
            thread="jovenes",
            author=YOLANDA,
            body=(
                "<p>Brayan tiene razón. En nuestra junta casi todos pasamos de los cincuenta años. Deberíamos "
                "invitar a los colectivos a contar lo que hacen en la próxima asamblea, en vez de pedirles que "
                "primero se afilien.</p>"
            ),
            when=(3, 8, 10),
        ),
        DemoReply(
            thread="pedir-la-palabra",
            key="reglamento",
            author=YOLANDA,
            body=(
                "<p>Sí se puede. Las sesiones de la JAL son públicas y el reglamento interno suele dejar un espacio "
                "para la comunidad. En la 15 toca inscribirse con la secretaría antes de que empiece la sesión. "
                "Vale la pena pedir el reglamento en el C.A.L.I.</p>"
            ),
            when=(7, 20, 15),
        ),
        DemoReply(
            thread="pedir-la-palabra",
            quote="reglamento",
            author=LEIDY,
            body=(
                "<p>Confirmo lo que dice doña Yolanda. En la 21 también reciben la solicitud por escrito unos días "
                "antes, y así queda en el acta que uno intervino.</p>"
            ),
            when=(8, 7, 40),
        ),
        DemoReply(
            thread="pedir-la-palabra",
            author=SDTPC_OFFICIAL,
            body=(
                "<p>Hola, Luz Dary. Las sesiones de las JAL son públicas y cada una define en su reglamento interno "
                "cómo interviene la comunidad. Vamos a pedir los reglamentos a las JAL de las comunas de este foro "
                "y de la Comuna 7, y los enlazaremos en el contexto del foro antes de que cierre.</p>"
            ),
            when=(8, 15, 10),
        ),
    ),
)

# DAGMA, open and pre-moderated: the waste dumping spots the Comités Ambientales Comunitarios know.
WASTE_FORUM = DemoForum(
    topic="Puntos críticos de residuos en las comunas 6, 7, 13 y 21: dónde están, por qué se forman y qué hacemos",
    context=(
        "<p>Un punto crítico es un lugar donde se botan basura, escombros y muebles viejos una y otra vez, fuera "
        "de los horarios y de los sitios de recolección. Muchos están junto a los canales de aguas lluvias, las "
        "lagunas de regulación y el jarillón del río Cauca: tapan los desagües, atraen roedores y empeoran las "
        "inundaciones.</p>"
        "<p>Los Comités Ambientales Comunitarios (CAC) de las comunas 6, 7, 13 y 21 y los vecinos señalan aquí "
        "los puntos críticos de sus barrios, sus causas y lo que proponen. El DAGMA usará estos aportes para "
        "programar jornadas de recuperación con la comunidad y coordinar la recolección con los operadores de "
        "aseo.</p>"
        '<p>En el <a href="https://www.cali.gov.co/dagma/">sitio del DAGMA</a> encuentras las jornadas '
        "ambientales programadas y los canales para reportar un punto crítico.</p>"
    ),
    rules=(
        "<p>Este foro es premoderado: tu aporte se publica cuando la persona moderadora lo revisa. Para ubicar un "
        "punto crítico da el barrio y una referencia (la esquina, el canal, el parque), no la dirección de una "
        "casa ni el nombre de un vecino.</p>"
    ),
    moderation_mode=ModerationMode.PRE,
    axes=(
        AxisSpec(
            "Canales, lagunas y jarillón",
            "Puntos críticos junto al río Cauca, los canales de aguas lluvias y las lagunas de regulación.",
        ),
        AxisSpec("Calles, parques y lotes", "Esquinas, separadores, parques y lotes vacíos de los barrios."),
        AxisSpec(
            "Recolección y escombros",
            "Horarios y rutas de recolección, y dónde dejar escombros y muebles viejos.",
        ),
    ),
    contributions=(
        DemoContribution(
            key="canales",
            author=LUZ_DARY,
            kind=PROBLEM,
            axis=0,
            title="Los canales de aguas lluvias se volvieron botaderos",
            body=(
                "<p>En el tramo del canal que pasa detrás de la cancha de Alfonso López botan colchones, escombros "
                "y bolsas de basura casi todas las noches. Cuando llueve, el agua se devuelve a las casas de la "
                "orilla. El CAC de la Comuna 7 hizo dos limpiezas este año y a la semana el canal estaba "
                "igual.</p>"
            ),
            when=(0, 9, 10),
            supporters=(LEIDY, BRAYAN, YOLANDA),
        ),
        DemoContribution(
            key="carretilleros",
            author=BRAYAN,
            kind=CAUSE,
            problem="canales",
            title="Sale más barato pagarle a un carretillero que llevar el escombro a un sitio autorizado",
            body=(
                "<p>Cuando alguien arregla la casa, le paga a un carretillero para que se lleve el escombro, y el "
                "carretillero lo deja donde nadie lo ve: en el canal. No es solo falta de cultura ciudadana; no hay "
                "cerca un sitio autorizado y barato para dejar unos pocos bultos de escombro.</p>"
            ),
            when=(0, 18, 30),
            supporters=(LUZ_DARY,),
        ),
        DemoContribution(
            key="inundaciones",
            author=LEIDY,
            kind=CONSEQUENCE,
            problem="canales",
            title="Inundaciones y ratas en las casas de la orilla",
            body=(
                "<p>En Desepaz pasa lo mismo con el canal que bordea el barrio: cuando se tapa con basura, el agua "
                "se sale a la calle y se mete a las casas de la primera cuadra. Después de cada aguacero aparecen "
                "más ratas, y los niños juegan en esa agua.</p>"
            ),
            when=(1, 7, 45),
            supporters=(LUZ_DARY, YOLANDA),
        ),
        DemoContribution(
            key="puntos-limpios",
            author=LUZ_DARY,
            kind=PROPOSAL,
            problem="canales",
            title="Un punto limpio por comuna para dejar escombros pequeños sin pagar",
            body=(
                "<p>Un sitio en cada comuna, abierto los sábados, donde cualquiera pueda dejar unos pocos bultos "
                "de escombro o un mueble viejo sin pagar, y donde los carretilleros registrados reciban un pago "
                "justo por llevarlos. Si dejar el escombro bien cuesta menos que botarlo en el canal, el canal se "
                "salva.</p>"
            ),
            when=(1, 20, 0),
            supporters=(BRAYAN, LEIDY, CAMILO, YOLANDA),
        ),
        DemoContribution(
            key="charco-azul",
            author=BRAYAN,
            kind=PROBLEM,
            axis=0,
            title="Basura y escombros en la orilla de la laguna de Charco Azul",
            body=(
                "<p>Por el lado de la calle que da a la laguna botan bolsas, llantas y escombros. La laguna recibe "
                "el agua lluvia de buena parte de la comuna y cada vez tiene menos espacio. Con el colectivo "
                "hicimos una limpieza y sacamos dos volquetas de basura, pero a los quince días estaba igual.</p>"
            ),
            when=(1, 17, 45),
            supporters=(LUZ_DARY, LEIDY),
        ),
        DemoContribution(
            key="separador",
            author=LEIDY,
            kind=PROBLEM,
            axis=1,
            title="El separador de la avenida en Potrero Grande amanece lleno de bolsas",
            body=(
                "<p>En el separador frente a los edificios de Potrero Grande la gente saca la basura cualquier día "
                "y a cualquier hora. Los perros rompen las bolsas y el viento las reparte por toda la avenida.</p>"
            ),
            when=(0, 19, 20),
            supporters=(YOLANDA,),
        ),
        DemoContribution(
            key="horarios-de-recoleccion",
            author=YOLANDA,
            kind=CAUSE,
            problem="separador",
            title="Nadie le explicó a la gente los días y horarios de recolección",
            body=(
                "<p>A los barrios nuevos llegó gente de muchas partes y nadie les explicó qué días pasa el carro de "
                "la basura. El operador de aseo no pone avisos y la línea de atención casi siempre está "
                "ocupada.</p>"
            ),
            when=(2, 8, 15),
            supporters=(LEIDY,),
        ),
        DemoContribution(
            key="colchon",
            author=CAMILO,
            kind=QUESTION,
            axis=2,
            title="¿Dónde se puede dejar un colchón viejo sin botarlo en la calle?",
            body=(
                "<p>Tengo un colchón y un sofá viejos. ¿El operador de aseo los recoge? ¿Hay que pedir el servicio "
                "y cuánto cuesta? No quiero pagarle a alguien sin saber dónde los va a dejar.</p>"
            ),
            when=(2, 10, 30),
        ),
        DemoContribution(
            key="comparendos",
            author=YOLANDA,
            kind=PROPOSAL,
            problem="canales",
            title="Cámaras y comparendos ambientales en los puntos críticos",
            body=(
                "<p>Que pongan cámaras en los puntos críticos que más se repiten y comparendos ambientales a "
                "quienes botan escombros. Los vecinos podemos mandar fotos de los carros que llegan de noche a "
                "descargar.</p>"
            ),
            when=(2, 19, 40),
            approved=False,
        ),
    ),
    replies=(
        DemoReply(
            thread="colchon",
            key="voluminosos",
            author=DAGMA_OFFICIAL,
            body=(
                "<p>Hola, Camilo. Los colchones y los muebles viejos son residuos voluminosos: el operador de aseo "
                "de tu zona los recoge si pides el servicio en su línea de atención, y el costo depende del "
                "volumen. La Alcaldía y los operadores también hacen jornadas gratuitas de recolección por comuna; "
                "publicaremos aquí las fechas de las próximas.</p>"
            ),
            when=(2, 15, 0),
        ),
        DemoReply(
            thread="colchon",
            quote="voluminosos",
            author=LUZ_DARY,
            body=(
                "<p>Gracias por la información. Ojalá esas jornadas se anuncien también en las emisoras "
                "comunitarias y en las carteleras de los C.A.L.I., porque no todo el mundo entra a internet.</p>"
            ),
            when=(2, 17, 20),
        ),
        DemoReply(
            thread="charco-azul",
            author=LEIDY,
            body=(
                "<p>Brayan, el CAC de la 21 quiere acompañarlos en la próxima limpieza. Avísennos con tiempo y le "
                "pedimos juntos al DAGMA la volqueta.</p>"
            ),
            when=(2, 9, 0),
        ),
    ),
)

# SMOV, post-moderated; closed, with its relatoría: public transport on the hillsides of comunas 1 and 20.
HILLSIDE_TRANSPORT_FORUM = DemoForum(
    topic="El transporte público en los barrios de ladera de Siloé (Comuna 20) y Terrón Colorado (Comuna 1)",
    context=(
        "<p>En las laderas de las comunas 1 y 20 muchas rutas del MIO llegan solo hasta la parte baja. Las "
        "pendientes, las vías angostas y la inseguridad hacen que muchos vecinos dependan de camperos, piratas y "
        "mototaxis. El MIO Cable une a Siloé con la estación Cañaveralejo, pero no cubre toda la ladera.</p>"
        "<p>Este foro recoge, con los vecinos y los transportadores, los problemas del servicio, sus causas y las "
        "propuestas que la Secretaría de Movilidad llevará a las mesas de movilidad de ladera.</p>"
        '<p>Las rutas y los horarios del MIO y del MIO Cable están en el <a href="https://www.metrocali.gov.co/">'
        "sitio de Metrocali</a>.</p>"
    ),
    rules=(
        "<p>Vecinos y transportadores participan con las mismas reglas. Puedes contar lo que te pasó con una ruta "
        "o un vehículo, pero no publiques placas ni nombres de conductores o de empresas.</p>"
    ),
    axes=(
        AxisSpec(
            "Rutas, frecuencias y horarios",
            "Cuánto se espera, a qué hora deja de pasar el transporte y a qué barrios no llega.",
        ),
        AxisSpec(
            "Vías, andenes y paraderos",
            "El estado de las vías, las escaleras, los andenes y los paraderos de la ladera.",
        ),
        AxisSpec(
            "Propuestas para las mesas de movilidad",
            "Ideas que no responden a un solo problema y que se llevarán a las mesas de movilidad de ladera.",
        ),
    ),
    contributions=(
        DemoContribution(
            key="noche",
            author=ROSA,
            kind=PROBLEM,
            axis=0,
            title="Después de las 8 de la noche no hay cómo subir a la parte alta de Siloé",
            body=(
                "<p>Cuando el MIO Cable para en la noche, los alimentadores no suben hasta Brisas de Mayo ni a La "
                "Estrella. Quedan los piratas y los mototaxis, que cobran el doble. Yo camino con bastón y no "
                "puedo con las escaleras, así que cuando salgo tarde de una cita médica me toca pagar lo que me "
                "pidan o quedarme donde mi hija.</p>"
            ),
            when=(0, 10, 30),
            supporters=(HECTOR, YOLANDA, BRAYAN, CAMILO),
        ),
        DemoContribution(
            key="pago-por-pasajero",
            author=HECTOR,
            kind=CAUSE,
            problem="noche",
            title="A ninguna empresa le sale la cuenta de subir de noche con el bus medio vacío",
            body=(
                "<p>Manejo en la ladera hace quince años. Una buseta que sube de noche gasta el doble en "
                "combustible y frenos, y baja vacía. Mientras las rutas se paguen por pasajero y no por servicio "
                "prestado, ninguna empresa va a sostener un horario nocturno en la loma.</p>"
            ),
            when=(1, 7, 20),
            supporters=(ROSA, CAMILO),
        ),
        DemoContribution(
            key="inseguridad",
            author=ROSA,
            kind=CAUSE,
            problem="noche",
            title="Los conductores no quieren subir de noche por miedo a los atracos",
            body=(
                "<p>Los mismos conductores dicen que no suben de noche porque a varios los han atracado. Los "
                "paraderos de arriba están oscuros y no pasa la Policía. Con alumbrado y presencia en esos puntos, "
                "más rutas se animarían a subir.</p>"
            ),
            when=(2, 9, 0),
            supporters=(HECTOR,),
        ),
        DemoContribution(
            key="trabajo-nocturno",
            author=YOLANDA,
            kind=CONSEQUENCE,
            problem="noche",
            title="Quienes trabajan de noche pagan más y llegan solas por callejones oscuros",
            body=(
                "<p>Mi hermana vive en Siloé y trabaja en un restaurante del norte hasta las 10 de la noche. Se "
                "gasta casi la mitad de lo que gana en mototaxi y llega sola por callejones sin luz. Varias "
                "compañeras suyas dejaron el trabajo por eso.</p>"
            ),
            when=(3, 19, 0),
            supporters=(ROSA, LEIDY),
        ),
        DemoContribution(
            key="cable-nocturno",
            author=BRAYAN,
            kind=PROPOSAL,
            problem="noche",
            title="Ampliar el horario del MIO Cable como prueba durante tres meses",
            body=(
                "<p>Que el MIO Cable funcione hasta las 10 de la noche de lunes a sábado, como prueba durante tres "
                "meses, contando cuántas personas lo usan en ese horario. Si se llena, que el horario se "
                "quede.</p>"
            ),
            when=(4, 21, 10),
            supporters=(ROSA, YOLANDA, LEIDY, HECTOR),
        ),
        DemoContribution(
            key="via-terron",
            author=HECTOR,
            kind=PROBLEM,
            axis=1,
            title="La vía a la parte alta de Terrón Colorado se vuelve intransitable cuando llueve",
            body=(
                "<p>Subiendo por la Avenida 4 Oeste, en la parte alta de Terrón Colorado, hay huecos que en invierno "
                "se vuelven zanjas. Los buses grandes no pasan y las busetas se varan. Cada suspensión dañada es "
                "un día sin trabajar, y cuando llueve fuerte la ruta simplemente no sube.</p>"
            ),
            when=(2, 6, 45),
            supporters=(ROSA, CAMILO, LUZ_DARY),
        ),
        DemoContribution(
            key="tramos-priorizados",
            author=CAMILO,
            kind=PROPOSAL,
            problem="via-terron",
            title="Priorizar con vecinos y conductores los tramos de vía que se reparan primero",
            body=(
                "<p>Los conductores saben dónde están los peores huecos y los vecinos saben por dónde baja el agua. "
                "Que en la mesa de movilidad de la Comuna 1 se haga con ellos un mapa de tramos críticos y que la "
                "reparación empiece por ahí, antes del próximo invierno.</p>"
            ),
            when=(6, 13, 30),
            supporters=(HECTOR,),
        ),
        DemoContribution(
            key="paraderos",
            author=ROSA,
            kind=PROBLEM,
            axis=1,
            title="Los paraderos de la ladera no tienen techo, bancas ni rampas",
            body=(
                "<p>En la loma uno espera el transporte de pie, al sol o al agua, sin dónde sentarse. Para los que "
                "andamos con bastón o en silla de ruedas es peor: no hay rampas y los andenes son escaleras. Varias "
                "personas mayores de mi cuadra ya casi no bajan al centro de salud por eso.</p>"
            ),
            when=(5, 11, 0),
            supporters=(YOLANDA, HECTOR),
        ),
        DemoContribution(
            key="camperos",
            author=CAMILO,
            kind=PROPOSAL,
            axis=2,
            title="Integrar los camperos de la ladera al MIO con un pasaje integrado",
            body=(
                "<p>Los camperos ya conocen las lomas y los vecinos confían en ellos. En vez de perseguirlos, que "
                "se organicen como alimentadores legales de las estaciones del MIO Cable, con horario nocturno, "
                "vehículos revisados y un pasaje integrado con la tarjeta del MIO.</p>"
            ),
            when=(9, 18, 20),
            supporters=(ROSA, HECTOR, BRAYAN, YOLANDA),
        ),
        DemoContribution(
            key="ruta-terron-alto",
            author=HECTOR,
            kind=QUESTION,
            axis=0,
            title="¿Sigue en pie la ruta alimentadora prometida para la parte alta de Terrón Colorado?",
            body=(
                "<p>En una reunión en la sede comunal dijeron que iba a llegar una ruta alimentadora hasta la parte "
                "alta de Terrón Colorado. ¿Alguien sabe si eso sigue en pie o en qué va?</p>"
            ),
            when=(12, 17, 40),
        ),
    ),
    replies=(
        DemoReply(
            thread="noche",
            key="fila-del-cable",
            author=BRAYAN,
            body=(
                "<p>En la estación Cañaveralejo, a las 7 de la noche, la fila para el Cable es larga, y arriba no "
                "hay cómo seguir. Sería bueno saber cuánta gente sube después de las 8 para pedir la ampliación con "
                "datos.</p>"
            ),
            when=(2, 21, 0),
        ),
        DemoReply(
            thread="noche",
            quote="fila-del-cable",
            author=ROSA,
            body=(
                "<p>Así es, mijo. En la junta podemos contar durante una semana cuántos vecinos llegan tarde a la "
                "casa y llevar esa cuenta a la mesa de movilidad.</p>"
            ),
            when=(3, 9, 15),
        ),
        DemoReply(
            thread="camperos",
            author=HECTOR,
            body=(
                "<p>Como conductor le digo que muchos compañeros estarían dispuestos, si les dan una forma de "
                "formalizarse que puedan pagar. Nadie quiere andar escondiéndose de los agentes de tránsito.</p>"
            ),
            when=(10, 7, 30),
        ),
        DemoReply(
            thread="ruta-terron-alto",
            key="mesa-comuna-1",
            author=SMOV_OFFICIAL,
            body=(
                "<p>Hola, Héctor. La ruta alimentadora para la parte alta de Terrón Colorado es uno de los temas de "
                "la próxima mesa de movilidad de ladera de la Comuna 1. Allí presentaremos el estudio de demanda y "
                "lo que falta para ponerla en operación; la fecha de la mesa se publicará en el cronograma de "
                "Foro.</p>"
            ),
            when=(13, 11, 0),
        ),
        DemoReply(
            thread="ruta-terron-alto",
            quote="mesa-comuna-1",
            author=HECTOR,
            body=(
                "<p>Gracias. Ojalá en esa mesa estemos los conductores de la zona, que conocemos las horas en que "
                "más gente sube.</p>"
            ),
            when=(13, 18, 30),
        ),
    ),
    synthesis=(
        "<p>Durante tres semanas, vecinos, lideresas y conductores de las comunas 1 y 20 analizaron en este foro "
        "el transporte público de la ladera. Esta relatoría resume lo que se dijo y lo que la Secretaría de "
        "Movilidad llevará a las mesas de movilidad de ladera; debajo están los aportes en los que se basa.</p>"
        "<p><strong>Problemas</strong></p>"
        "<ul><li>Después de las 8 de la noche no hay transporte formal hacia la parte alta de Siloé: quienes "
        "trabajan o estudian de noche, sobre todo las mujeres y las personas mayores, pagan más y corren más "
        "riesgos.</li>"
        "<li>La vía a la parte alta de Terrón Colorado se daña con las lluvias y las rutas dejan de subir.</li>"
        "<li>Los paraderos de la ladera no tienen techo, bancas ni rampas, lo que aísla a las personas con "
        "discapacidad y a las personas mayores.</li></ul>"
        "<p><strong>Causas</strong></p>"
        "<ul><li>Con el pago por pasajero, ninguna empresa sostiene un horario nocturno en la loma.</li>"
        "<li>Los paraderos altos no tienen alumbrado ni presencia de la Policía, y los conductores temen los "
        "atracos.</li></ul>"
        "<p><strong>Propuestas que pasan a las mesas de movilidad de ladera</strong></p>"
        "<ol><li>Ampliar el horario del MIO Cable hasta las 10 de la noche, como prueba de tres meses con conteo "
        "de usuarios.</li>"
        "<li>Estudiar con los transportadores de la ladera su integración como alimentadores del MIO, con pasaje "
        "integrado.</li>"
        "<li>Priorizar con vecinos y conductores los tramos de vía que se reparan primero en Terrón "
        "Colorado.</li></ol>"
        "<p>La Secretaría de Movilidad dará su respuesta institucional a cada propuesta dentro del plazo de este "
        "espacio.</p>"
    ),
    cited=(
        "noche",
        "pago-por-pasajero",
        "inseguridad",
        "trabajo-nocturno",
        "cable-nocturno",
        "via-terron",
        "tramos-priorizados",
        "paraderos",
        "camperos",
    ),
)


# --- Participation spaces ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """When a space runs: opens ``days`` from today at ``hour``, or on the (month, day) ``on`` of the previous
    vigencia; ``hour=None`` is a live session running right now (it started an hour ago). It lasts
    ``length_hours``, or ``length_days`` and closes at 6 p. m."""

    days: int = 0
    on: tuple[int, int] | None = None
    hour: int | None = 8
    length_days: int = 1
    length_hours: int | None = None

    def window(self, today: date, now: datetime, previous_year: int) -> tuple[datetime, datetime]:
        if self.hour is None:
            opens_at = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        else:
            opens_on = date(previous_year, *self.on) if self.on else today + timedelta(days=self.days)
            opens_at = local_to_utc(datetime.combine(opens_on, time(self.hour)))
        if self.length_hours:
            return opens_at, opens_at + timedelta(hours=self.length_hours)
        closes_on = utc_to_local(opens_at).date() + timedelta(days=self.length_days)
        return opens_at, local_to_utc(datetime.combine(closes_on, time(18)))


@dataclass(frozen=True)
class DemoSpace:
    organism: str
    kind: SpaceKind
    phase: Phase
    state: SpaceState
    level: ParticipationLevel
    title: str
    description: str
    schedule: Schedule
    action: str | None = None
    territories: tuple[tuple[TerritoryKind, int], ...] = ()
    groups: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    location: str = ""
    response: str = ""
    # The forum of a forum space, opened by its official and filled while the space is open.
    forum: DemoForum | None = None
    # The settings and the life of a call for proposals (foro.demo_calls).
    call: DemoCall | None = None
    # The agenda and the life of a live accountability session (foro.demo_live).
    live: DemoLive | None = None
    # Days after closing on which results were published and the institutional response given.
    results_after_days: int = 7
    response_after_days: int = 21


CURRENT_SPACES = (
    DemoSpace(
        organism="SDTPC",
        kind=SpaceKind.FORUM,
        phase=Phase.DIAGNOSIS,
        state=SpaceState.OPEN,
        level=ParticipationLevel.INTERACTIVE,
        title="Foro virtual: ¿qué nos impide participar en nuestra comuna?",
        description=(
            "<p>Este foro construye, con quienes viven en el oriente de Cali, un diagnóstico de la "
            "participación: no una lista de peticiones, sino un análisis de problemas, causas y "
            "consecuencias.</p>"
            "<p><strong>Ejes de conversación:</strong></p>"
            "<ul><li>Acceso a la información sobre los problemas y los planes de inversión de la comuna.</li>"
            "<li>Espacios de diálogo que existen y los que faltan.</li>"
            "<li>Quiénes participan hoy y quiénes se quedan por fuera.</li></ul>"
            "<p>Los aportes alimentan los diagnósticos participativos de las comunas 13, 14, 15 y 21.</p>"
        ),
        schedule=Schedule(-10, length_days=22),
        action="sdtpc-diagnosticos",
        territories=EASTERN_DISTRICT,
        groups=(COMMUNITY_BOARDS, ORGANISATIONS, YOUTH),
        moderators=(MODERATOR_1,),
        location="En línea, con mesas de apoyo en los C.A.L.I. 13, 14, 15 y 21",
        forum=PARTICIPATION_FORUM,
    ),
    DemoSpace(
        organism="SDTPC",
        kind=SpaceKind.PROPOSAL_CALL,
        phase=Phase.FORMULATION,
        state=SpaceState.RESPONSE_GIVEN,
        level=ParticipationLevel.INTERACTIVE,
        title="Propuestas de la Comuna 18 para el presupuesto participativo",
        description=(
            "<p>Las organizaciones y los vecinos de la Comuna 18 presentan propuestas de inversión para los "
            "recursos de presupuesto participativo. La Junta Administradora Local las prioriza en sesión "
            "abierta.</p>"
            "<ul><li>Cada propuesta describe el problema que atiende y a quiénes beneficia.</li>"
            "<li>Pueden proponer organizaciones, Juntas de Acción Comunal y personas naturales.</li></ul>"
        ),
        schedule=Schedule(-95, length_days=30),
        action="sdtpc-presupuesto",
        territories=((COMUNA, 18),),
        groups=(COMMUNITY_BOARDS, ORGANISATIONS),
        location="En línea y en el C.A.L.I. 18",
        moderators=(MODERATOR_1,),
        call=C18_BUDGET_CALL,
        results_after_days=3,
        response_after_days=20,
        response=(
            "<p>Recibimos <strong>5 propuestas</strong> de vecinos y Juntas de Acción Comunal. En la "
            "concertación, la huerta y el compostaje se juntaron en una propuesta concertada; 8 personas "
            "votaron con un tope de 420 millones de pesos.</p>"
            "<ul><li><strong>Aceptada:</strong> la escuela de formación deportiva de Alto Nápoles, que es "
            "ahora una acción del plan.</li>"
            "<li><strong>Aceptada en parte:</strong> la huerta comunitaria, dentro de la acción de "
            "acompañamiento a las JAL; el compostaje espera un permiso ambiental.</li>"
            "<li><strong>No aceptada:</strong> la adecuación del salón comunal de Los Chorros, porque el "
            "predio no está legalizado.</li></ul>"
            "<p>Cada respuesta, con sus razones, está en la página de respuestas de esta convocatoria, y el "
            "avance de cada acción se reporta en su página.</p>"
        ),
    ),
    DemoSpace(
        organism="SDTPC",
        kind=SpaceKind.LIVE_SESSION,
        phase=Phase.MONITORING,
        state=SpaceState.ANNOUNCED,
        level=ParticipationLevel.INFORMATIVE,
        title="Rendición de cuentas de la Secretaría de Desarrollo Territorial y Participación Ciudadana",
        description=(
            "<p>La Secretaría presenta sus resultados del año acción por acción, con sus indicadores, y "
            "responde en vivo las preguntas de la ciudadanía.</p>"
            "<p><strong>Agenda:</strong></p>"
            "<ol><li>Avance del plan de acción de participación.</li>"
            "<li>Presupuesto participativo: qué se priorizó y cómo va.</li>"
            "<li>Preguntas de la ciudadanía y compromisos.</li></ol>"
            "<p>Puedes asistir o seguir la sesión en línea y enviar tus preguntas desde esta página.</p>"
        ),
        schedule=Schedule(9, hour=9, length_hours=3),
        action="sdtpc-rendicion",
        groups=(EVERYONE,),
        moderators=(MODERATOR_1, MODERATOR_2),
        location="Centro Administrativo Municipal (CAM), auditorio principal, y en línea",
        live=PARTICIPATION_REPORT_SESSION,
    ),
    DemoSpace(
        organism="SDTPC",
        kind=SpaceKind.SURVEY,
        phase=Phase.EVALUATION,
        state=SpaceState.DRAFT,
        level=ParticipationLevel.INFORMATION_SUPPLY,
        title="Encuesta de evaluación de la Escuela de Participación Ciudadana",
        description=(
            "<p>Queremos saber qué te dejó la Escuela de Participación: qué aprendiste, qué usaste en tu "
            "comunidad y qué cambiarías para el próximo ciclo.</p>"
        ),
        schedule=Schedule(20, length_days=15),
        action="sdtpc-escuela",
        groups=(YOUTH, WOMEN, ORGANISATIONS),
    ),
    DemoSpace(
        organism="SDTPC",
        kind=SpaceKind.CONSULTATION,
        phase=Phase.FORMULATION,
        state=SpaceState.CLOSED,
        level=ParticipationLevel.CONSULTATION,
        title="Consulta del borrador de la Política Pública de Participación Ciudadana",
        description=(
            "<p>Publicamos el borrador de actualización de la Política Pública de Participación Ciudadana "
            "de Santiago de Cali para que la ciudadanía lo comente, capítulo por capítulo, antes de su "
            "adopción.</p>"
            "<ul><li>Capítulo 1: enfoques y principios.</li>"
            "<li>Capítulo 2: instancias y espacios de participación.</li>"
            "<li>Capítulo 3: financiación y seguimiento.</li></ul>"
            "<p>La Secretaría responderá cada comentario y publicará qué cambió en el texto.</p>"
        ),
        # Closed 45 days ago and still unanswered: its response is overdue.
        schedule=Schedule(-75, length_days=30),
        groups=(EVERYONE, ORGANISATIONS),
    ),
    DemoSpace(
        organism="SSP",
        kind=SpaceKind.SURVEY,
        phase=Phase.DIAGNOSIS,
        state=SpaceState.OPEN,
        level=ParticipationLevel.INFORMATION_SUPPLY,
        title="Encuesta diagnóstica de salud mental de jóvenes del oriente de Cali",
        description=(
            "<p>Si tienes entre 14 y 28 años y vives en las comunas 13, 14, 15 o 21, cuéntanos cómo te "
            "sientes, qué te preocupa y dónde buscas apoyo. Toma unos 10 minutos.</p>"
            "<p>Los resultados se publicarán por comuna y grupo de edad, sin datos que permitan "
            "identificar a nadie, y orientarán las acciones de salud mental del próximo año.</p>"
        ),
        schedule=Schedule(-5, length_days=30),
        action="ssp-salud-mental",
        territories=EASTERN_DISTRICT,
        groups=(YOUTH, NNA),
    ),
    DemoSpace(
        organism="SSP",
        kind=SpaceKind.FORUM,
        phase=Phase.FORMULATION,
        state=SpaceState.RESULTS_PUBLISHED,
        level=ParticipationLevel.INTERACTIVE,
        title="Foro: prioridades del Plan Territorial de Salud para la ladera",
        description=(
            "<p>Conversemos sobre lo que debe priorizar el Plan Territorial de Salud en las comunas de "
            "ladera.</p>"
            "<p><strong>Ejes:</strong></p>"
            "<ul><li>Acceso a los puestos de salud y horarios de atención.</li>"
            "<li>Salud materna e infantil.</li>"
            "<li>Agua, saneamiento y enfermedades transmitidas por vectores.</li></ul>"
        ),
        # Closed eight days ago: the response is still within its term.
        schedule=Schedule(-30, length_days=22),
        action="ssp-plan-territorial",
        territories=HILLSIDE,
        groups=(EVERYONE, WOMEN, ORGANISATIONS),
        results_after_days=3,
    ),
    DemoSpace(
        organism="SSP",
        kind=SpaceKind.LIVE_SESSION,
        phase=Phase.MONITORING,
        state=SpaceState.RESPONSE_GIVEN,
        level=ParticipationLevel.INTERACTIVE,
        title="Sesión de seguimiento con los Comités de Participación Comunitaria en Salud (COPACOS)",
        description=(
            "<p>Sesión abierta en la que los COPACOS presentan sus hallazgos sobre la atención en la red "
            "pública y la Secretaría responde con compromisos.</p>"
        ),
        schedule=Schedule(-60, hour=9, length_hours=3),
        action="ssp-copacos",
        groups=(ORGANISATIONS, ELDERLY),
        location="Centro Administrativo Municipal (CAM), salón de reuniones del piso 3, y en línea",
        results_after_days=5,
        response_after_days=20,
        response=(
            "<p>Participaron 18 COPACOS y 142 personas. Todas las preguntas se respondieron en la sesión o "
            "por escrito en los días siguientes: están en el acta de la sesión.</p>"
            "<p><strong>Compromisos:</strong></p>"
            "<ul><li>Ampliar hasta las 7:00 p. m. el horario del puesto de salud de Siloé (responsable: Red "
            "de Salud de Ladera).</li>"
            "<li>Publicar cada trimestre los tiempos de espera para cita de medicina general, por comuna.</li>"
            "<li>Instalar en cada centro de salud un buzón de sugerencias con respuesta en 15 días "
            "hábiles.</li></ul>"
            "<p>El avance de estos compromisos se reporta en la acción «Seguimiento ciudadano a la red "
            "pública con los COPACOS».</p>"
        ),
        live=COPACOS_SESSION,
    ),
    DemoSpace(
        organism="SSP",
        kind=SpaceKind.CONSULTATION,
        phase=Phase.IMPLEMENTATION,
        state=SpaceState.ANNOUNCED,
        level=ParticipationLevel.CONSULTATION,
        title="Consulta del protocolo de atención en los puestos de salud rurales",
        description=(
            "<p>Antes de adoptarlo, la Secretaría pone a consideración de los habitantes de los "
            "corregimientos el protocolo de atención de los puestos de salud rurales: horarios, brigadas "
            "móviles y traslado de pacientes.</p>"
        ),
        schedule=Schedule(6, length_days=30),
        action="ssp-agentes",
        territories=((CORREGIMIENTO, 54), (CORREGIMIENTO, 56), (CORREGIMIENTO, 57), (CORREGIMIENTO, 59)),
        groups=(ELDERLY, WOMEN, DISABLED),
    ),
    DemoSpace(
        organism="SMOV",
        kind=SpaceKind.CONSULTATION,
        phase=Phase.FORMULATION,
        state=SpaceState.OPEN,
        level=ParticipationLevel.CONSULTATION,
        title="Consulta del borrador de ajuste al Plan Integral de Movilidad Urbana (PIMU)",
        description=(
            "<p>Comenta, sección por sección, el borrador de ajuste del PIMU: transporte público, movilidad "
            "activa, seguridad vial y logística urbana. Cada comentario recibirá respuesta pública.</p>"
        ),
        schedule=Schedule(-7, length_days=28),
        action="smov-pimu",
        groups=(EVERYONE, BUSINESS, DISABLED),
        moderators=(MODERATOR_2,),
    ),
    DemoSpace(
        organism="SMOV",
        kind=SpaceKind.FORUM,
        phase=Phase.IMPLEMENTATION,
        state=SpaceState.RESULTS_PUBLISHED,
        level=ParticipationLevel.INTERACTIVE,
        title="Foro: transporte público en la ladera de Siloé y Terrón Colorado",
        description=(
            "<p>Un foro para analizar con la comunidad y los transportadores el servicio de transporte en "
            "los barrios de ladera de las comunas 1 y 20.</p>"
            "<ul><li>Rutas, frecuencias y horarios.</li>"
            "<li>Estado de las vías y de los paraderos.</li>"
            "<li>Propuestas que se llevarán a las mesas de movilidad de ladera.</li></ul>"
        ),
        # Closed three days ago, its relatoría out yesterday: the response is still within its term.
        schedule=Schedule(-24, length_days=21),
        action="smov-ladera",
        territories=((COMUNA, 1), (COMUNA, 20)),
        groups=(COMMUNITY_BOARDS, BUSINESS, EVERYONE),
        moderators=(MODERATOR_2,),
        forum=HILLSIDE_TRANSPORT_FORUM,
        results_after_days=2,
    ),
    DemoSpace(
        organism="SMOV",
        kind=SpaceKind.PROPOSAL_CALL,
        phase=Phase.DIAGNOSIS,
        state=SpaceState.RESPONSE_GIVEN,
        level=ParticipationLevel.INTERACTIVE,
        title="Propuestas para entornos escolares seguros",
        description=(
            "<p>Estudiantes, familias y docentes proponen soluciones para los puntos de riesgo vial "
            "alrededor de sus colegios: cruces, señalización, reductores de velocidad y caminos "
            "seguros.</p>"
        ),
        schedule=Schedule(-130, length_days=30),
        action="smov-entornos",
        territories=((COMUNA, 2), (COMUNA, 17), (COMUNA, 19), (COMUNA, 22)),
        groups=(NNA, EVERYONE),
        results_after_days=10,
        response_after_days=30,
        response=(
            "<p>Recibimos 112 propuestas de 38 instituciones educativas y las revisamos con los recorridos "
            "del diagnóstico de entornos escolares.</p>"
            "<ul><li><strong>Aceptadas:</strong> 31 propuestas, que hacen parte de la acción «Diagnóstico "
            "participativo de seguridad vial en entornos escolares» y del plan de señalización del segundo "
            "semestre.</li>"
            "<li><strong>Aceptadas en parte:</strong> 22 propuestas, con una solución distinta a la "
            "propuesta (por ejemplo, reductores de velocidad en lugar de semáforos) y las razones técnicas "
            "de cada caso.</li>"
            "<li><strong>No aceptadas:</strong> 59 propuestas sobre vías nacionales o de otras entidades, "
            "que trasladamos a la entidad competente.</li></ul>"
        ),
    ),
    DemoSpace(
        organism="SMOV",
        kind=SpaceKind.LIVE_SESSION,
        phase=Phase.MONITORING,
        state=SpaceState.OPEN,
        level=ParticipationLevel.INTERACTIVE,
        title="En vivo: avance de las ciclorrutas de la ciudad",
        description=(
            "<p>La Secretaría de Movilidad presenta, tramo por tramo, el avance de la red de ciclorrutas y "
            "responde las preguntas de los colectivos de ciclistas y de la ciudadanía.</p>"
            "<p><strong>Agenda:</strong></p>"
            "<ol><li>Kilómetros construidos y en obra.</li>"
            "<li>Hallazgos del seguimiento ciudadano.</li>"
            "<li>Preguntas y compromisos.</li></ol>"
        ),
        # Running right now: it started an hour ago.
        schedule=Schedule(hour=None, length_hours=3),
        action="smov-ciclorrutas",
        territories=((COMUNA, 2), (COMUNA, 17), (COMUNA, 19), (COMUNA, 22)),
        groups=(YOUTH, EVERYONE),
        moderators=(MODERATOR_2,),
        location="Transmisión en línea desde la Secretaría de Movilidad",
        live=CYCLE_LANES_SESSION,
    ),
    DemoSpace(
        organism="SMOV",
        kind=SpaceKind.SURVEY,
        phase=Phase.EVALUATION,
        state=SpaceState.ANNOUNCED,
        level=ParticipationLevel.INFORMATION_SUPPLY,
        title="Encuesta de satisfacción con las ciclorrutas",
        description=(
            "<p>Cuéntanos cómo usas las ciclorrutas, qué tan seguras te parecen y qué tramos necesitan "
            "mantenimiento. Los resultados se publicarán por comuna.</p>"
        ),
        schedule=Schedule(12, length_days=28),
        action="smov-ciclorrutas",
        groups=(YOUTH, EVERYONE),
    ),
    DemoSpace(
        organism="DAGMA",
        kind=SpaceKind.SURVEY,
        phase=Phase.DIAGNOSIS,
        state=SpaceState.RESULTS_PUBLISHED,
        level=ParticipationLevel.INFORMATION_SUPPLY,
        title="Encuesta sobre el estado de humedales y ecoparques",
        description=(
            "<p>Queremos conocer cómo usan y cómo ven las comunidades vecinas los humedales y ecoparques "
            "del sur de Cali y de la zona rural: su estado, sus amenazas y lo que valoran de ellos.</p>"
        ),
        # Results out, but no response 50 days after closing: overdue.
        schedule=Schedule(-70, length_days=20),
        action="dagma-humedales",
        territories=((COMUNA, 17), (COMUNA, 22), (CORREGIMIENTO, 53), (CORREGIMIENTO, 54)),
        groups=(EVERYONE, ORGANISATIONS),
        results_after_days=10,
    ),
    DemoSpace(
        organism="DAGMA",
        kind=SpaceKind.FORUM,
        phase=Phase.IMPLEMENTATION,
        state=SpaceState.OPEN,
        level=ParticipationLevel.FUNCTIONAL,
        title="Foro de los Comités Ambientales Comunitarios: puntos críticos de residuos",
        description=(
            "<p>Los Comités Ambientales Comunitarios (CAC) y la ciudadanía identifican los puntos críticos "
            "de arrojo de residuos en sus comunas y proponen jornadas de recuperación con acompañamiento "
            "del DAGMA.</p>"
            "<ul><li>Dónde están los puntos críticos y desde cuándo.</li>"
            "<li>Por qué se forman.</li>"
            "<li>Qué puede hacer la comunidad y qué debe hacer la Administración.</li></ul>"
        ),
        schedule=Schedule(-3, length_days=21),
        action="dagma-cac",
        territories=((COMUNA, 6), (COMUNA, 7), (COMUNA, 13), (COMUNA, 21)),
        groups=(ORGANISATIONS, COMMUNITY_BOARDS),
        moderators=(MODERATOR_1,),
        forum=WASTE_FORUM,
    ),
    DemoSpace(
        organism="DAGMA",
        kind=SpaceKind.PROPOSAL_CALL,
        phase=Phase.FORMULATION,
        state=SpaceState.DRAFT,
        level=ParticipationLevel.SELF_DEVELOPMENT,
        title="Convocatoria de iniciativas comunitarias para la cuenca del río Cali",
        description=(
            "<p>Convocatoria para que las organizaciones de la cuenca del río Cali presenten iniciativas "
            "de conservación, restauración y educación ambiental que ellas mismas ejecutarán con apoyo "
            "técnico del DAGMA.</p>"
        ),
        schedule=Schedule(25, length_days=30),
        action="dagma-rio-cali",
        territories=RIO_CALI_BASIN,
        groups=(ORGANISATIONS, INDIGENOUS),
    ),
    DemoSpace(
        organism="DAGMA",
        kind=SpaceKind.LIVE_SESSION,
        phase=Phase.EVALUATION,
        state=SpaceState.CLOSED,
        level=ParticipationLevel.INTERACTIVE,
        title="Audiencia de evaluación del programa de arborización",
        description=(
            "<p>La ciudadanía que verificó las siembras presenta sus resultados: cuántos árboles "
            "sobreviven, dónde faltó mantenimiento y qué debe cambiar en el programa.</p>"
        ),
        schedule=Schedule(-2, hour=9, length_hours=3),
        action="dagma-arborizacion",
        territories=((COMUNA, 6), (COMUNA, 11), (COMUNA, 16), (COMUNA, 21)),
        groups=(EVERYONE, ORGANISATIONS),
        location="Auditorio del DAGMA y transmisión en línea",
        live=TREE_PLANTING_SESSION,
    ),
    DemoSpace(
        organism="SEM",
        kind=SpaceKind.CONSULTATION,
        phase=Phase.FORMULATION,
        state=SpaceState.RESPONSE_GIVEN,
        level=ParticipationLevel.CONSULTATION,
        title="Consulta del borrador de lineamientos del Plan Educativo Municipal",
        description=(
            "<p>Docentes, familias, estudiantes y organizaciones comentan el borrador de lineamientos del "
            "Plan Educativo Municipal antes de su adopción.</p>"
        ),
        schedule=Schedule(-100, length_days=30),
        action="sem-pem",
        groups=(NNA, EVERYONE),
        results_after_days=8,
        response_after_days=30,
        response=(
            "<p>Recibimos 386 comentarios de 1.140 participantes. Respondimos cada uno y publicamos la "
            "versión final con los cambios marcados.</p>"
            "<ul><li><strong>Qué cambió:</strong> un capítulo nuevo sobre educación rural, metas de "
            "permanencia escolar por comuna y un lugar para los estudiantes en el comité de seguimiento "
            "del plan.</li>"
            "<li><strong>Qué no se acogió:</strong> 142 comentarios, con las razones en cada respuesta (por "
            "ejemplo, asuntos que dependen del Ministerio de Educación Nacional).</li></ul>"
        ),
    ),
    DemoSpace(
        organism="SEM",
        kind=SpaceKind.SURVEY,
        phase=Phase.DIAGNOSIS,
        state=SpaceState.CLOSED,
        level=ParticipationLevel.INFORMATION_SUPPLY,
        title="Encuesta a familias sobre las causas de la deserción escolar",
        description=(
            "<p>Encuesta para madres, padres y cuidadores de estudiantes de instituciones educativas "
            "oficiales: por qué los estudiantes dejan de asistir y qué les ayudaría a quedarse.</p>"
        ),
        # Closed 35 days ago without results or response: overdue.
        schedule=Schedule(-60, length_days=25),
        action="sem-desercion",
        territories=((COMUNA, 14), (COMUNA, 15), (COMUNA, 16), (COMUNA, 21), (CORREGIMIENTO, 51)),
        groups=(NNA, AFRO),
    ),
    DemoSpace(
        organism="SEM",
        kind=SpaceKind.PROPOSAL_CALL,
        phase=Phase.IMPLEMENTATION,
        state=SpaceState.ANNOUNCED,
        level=ParticipationLevel.INCENTIVES,
        title="Convocatoria de iniciativas de gobierno escolar",
        description=(
            "<p>Consejos estudiantiles, personeros y contralores estudiantiles presentan iniciativas para "
            "mejorar la convivencia y la participación en sus colegios. Las iniciativas seleccionadas "
            "reciben materiales y acompañamiento para ejecutarse.</p>"
        ),
        schedule=Schedule(4, length_days=26),
        action="sem-gobierno-escolar",
        territories=((COMUNA, 14), (COMUNA, 15), (COMUNA, 18)),
        groups=(NNA, YOUTH),
    ),
    DemoSpace(
        organism="SEM",
        kind=SpaceKind.FORUM,
        phase=Phase.MONITORING,
        state=SpaceState.DRAFT,
        level=ParticipationLevel.INTERACTIVE,
        title="Foro de seguimiento al Programa de Alimentación Escolar (PAE)",
        description=(
            "<p>Familias y comités de alimentación escolar comparten lo que observan en sus colegios: "
            "calidad, cantidad y oportunidad de los alimentos.</p>"
        ),
        schedule=Schedule(15, length_days=20),
        action="sem-pae",
        groups=(NNA, ORGANISATIONS),
    ),
    DemoSpace(
        organism="SEM",
        kind=SpaceKind.LIVE_SESSION,
        phase=Phase.EVALUATION,
        state=SpaceState.RESULTS_PUBLISHED,
        level=ParticipationLevel.INFORMATIVE,
        title="Rendición de cuentas de la Secretaría de Educación a las familias",
        description=(
            "<p>La Secretaría presenta a las familias los resultados del año en cobertura, permanencia y "
            "alimentación escolar, y responde sus preguntas.</p>"
        ),
        schedule=Schedule(-15, hour=17, length_hours=2),
        action="sem-pae",
        groups=(NNA, EVERYONE),
        location="Institución Educativa Santa Librada, auditorio, y en línea",
        results_after_days=4,
    ),
    DemoSpace(
        organism="SMOV",
        kind=SpaceKind.PROPOSAL_CALL,
        phase=Phase.FORMULATION,
        state=SpaceState.OPEN,
        level=ParticipationLevel.FUNCTIONAL,
        title="Propuestas para el transporte nocturno en la ladera",
        description=(
            "<p>Las propuestas del foro sobre el transporte en la ladera de Siloé y Terrón Colorado pasan a "
            "votación: quienes viven en las comunas 1, 18 y 20 eligen hasta dos, y las dos más votadas se "
            "llevan a las mesas de movilidad de ladera.</p>"
        ),
        schedule=Schedule(-20, length_days=26),
        action="smov-ladera",
        territories=HILLSIDE,
        groups=(EVERYONE,),
        moderators=(MODERATOR_2,),
        location="En línea",
        call=HILLSIDE_NIGHT_CALL,
    ),
)


def _previous_spaces(previous_year: int) -> tuple[DemoSpace, ...]:
    return (
        DemoSpace(
            organism="SDTPC",
            kind=SpaceKind.LIVE_SESSION,
            phase=Phase.EVALUATION,
            state=SpaceState.RESPONSE_GIVEN,
            level=ParticipationLevel.INTERACTIVE,
            title=f"Rendición de cuentas de la vigencia {previous_year}",
            description=(
                "<p>Balance del año de la Secretaría de Desarrollo Territorial y Participación Ciudadana: "
                "Escuela de Participación, diagnósticos de comuna y presupuesto participativo.</p>"
            ),
            schedule=Schedule(on=(11, 24), hour=9, length_hours=3),
            action="prev-sdtpc-rendicion",
            groups=(EVERYONE,),
            location="Centro Administrativo Municipal (CAM), auditorio principal, y en línea",
            results_after_days=5,
            response_after_days=16,
            response=(
                "<p>Asistieron 310 personas y 1.900 siguieron la transmisión. Respondimos las 74 preguntas "
                "recibidas y adquirimos 6 compromisos.</p>"
                "<ul><li>Llevar la Escuela de Participación a los 15 corregimientos en la siguiente vigencia "
                "(incluido en el plan de acción).</li>"
                "<li>Publicar en Foro el avance de cada proyecto de presupuesto participativo.</li>"
                "<li>Responder por escrito, en 15 días hábiles, cada propuesta recibida en los foros.</li></ul>"
            ),
        ),
        DemoSpace(
            organism="DAGMA",
            kind=SpaceKind.FORUM,
            phase=Phase.EVALUATION,
            state=SpaceState.RESPONSE_GIVEN,
            level=ParticipationLevel.INTERACTIVE,
            title=f"Evaluación ciudadana del programa de arborización {previous_year}",
            description=(
                "<p>¿Qué logró el programa de arborización este año? Cuéntanos qué árboles sobreviven en tu "
                "barrio, cuáles no y por qué.</p>"
            ),
            schedule=Schedule(on=(10, 6), length_days=25),
            action="prev-dagma-arborizacion",
            groups=(EVERYONE, ORGANISATIONS),
            response=(
                "<p>Recibimos 236 aportes. La ciudadanía verificó 4.100 de los 12.240 árboles sembrados: el 81 % "
                "sobrevive.</p>"
                "<ul><li>Los tramos con más pérdidas (comunas 6 y 21) tendrán riego contratado en la siguiente "
                "vigencia.</li>"
                "<li>Las especies elegidas para la siguiente siembra se concertarán con los Comités Ambientales "
                "Comunitarios.</li></ul>"
            ),
        ),
    )




# Notes kept in the space's history for the moves that have one.
TRANSITION_NOTES = {
    SpaceState.ANNOUNCED: "Convocatoria publicada en cali.gov.co, en redes sociales y en emisoras comunitarias.",
    SpaceState.RESULTS_PUBLISHED: "Resultados publicados en Foro y en la página del organismo.",
}

PHASE_MONTHS = {
    Phase.DIAGNOSIS: (1, 2),
    Phase.FORMULATION: (3, 4),
    Phase.IMPLEMENTATION: (5, 8),
    Phase.MONITORING: (9, 10),
    Phase.EVALUATION: (11, 12),
}


# --- Seeding ----------------------------------------------------------------------------------------


def _end_of_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _path_to(target: SpaceState) -> list[SpaceState]:
    """The moves that take a new (draft) space to ``target``."""
    path, state = [], SpaceState.DRAFT
    while state is not target:
        state = NEXT_STATE[state]
        path.append(state)
    return path


def _progress(spec: DemoAction, year: int, today: date) -> dict:
    """Dates, indicator value and status of an action as they would stand today at the action's pace."""
    starts_on = date(year, spec.months[0], 1)
    ends_on = _end_of_month(year, spec.months[1])
    values = dict(starts_on=starts_on, ends_on=ends_on, indicator_current=None, indicator_measured_on=None)
    if today < starts_on:
        return values | dict(status=ActionStatus.PLANNED)
    measured_on = min(today, ends_on)
    elapsed = (measured_on - starts_on).days / (ends_on - starts_on).days
    share = Decimal(str(round(elapsed * spec.pace, 4)))
    current = min(spec.baseline + (spec.target - spec.baseline) * share, spec.target).quantize(spec.step)
    if spec.suspended:
        status = ActionStatus.SUSPENDED
    elif current >= spec.target:
        status = ActionStatus.DONE
    else:
        status = ActionStatus.IN_PROGRESS
    return values | dict(indicator_current=current, indicator_measured_on=measured_on, status=status)


def _moments(spec: DemoSpace, opens_at: datetime, closes_at: datetime, now: datetime) -> dict[SpaceState, datetime]:
    """When each move of a space's life happened on its schedule, in order and never later than now."""
    planned = {
        SpaceState.ANNOUNCED: opens_at - timedelta(days=14),
        SpaceState.OPEN: opens_at,
        SpaceState.CLOSED: closes_at,
        SpaceState.RESULTS_PUBLISHED: closes_at + timedelta(days=spec.results_after_days),
        SpaceState.RESPONSE_GIVEN: closes_at + timedelta(days=spec.response_after_days),
    }
    moments: dict[SpaceState, datetime] = {}
    previous = None
    for state, moment in planned.items():
        moment = min(moment, now)
        if previous is not None:
            moment = max(moment, previous)
        moments[state] = previous = moment
    return moments


def _date_history(space: Space, moments: dict[SpaceState, datetime], now: datetime) -> None:
    """Put a space's recorded history on its schedule.

    The services stamp every move with the current time, but a demo loaded today must show spaces that
    closed weeks ago, so the transitions, the closing time and the response deadline are set afterwards
    to the dates of the schedule. The deadline follows the rule of ``change_space_state`` (the space's
    business days counted from the local day it closed), so an old closing yields an overdue response.
    """
    for transition in space.transitions:
        transition.created_at = moments[transition.to_state]
    space.created_at = (moments[SpaceState.ANNOUNCED] if space.transitions else now) - timedelta(days=3)
    space.state_changed_at = moments[space.state] if space.transitions else space.created_at
    if space.closed_at is not None:
        space.closed_at = moments[SpaceState.CLOSED]
        space.response_due_on = add_business_days(local_today(space.closed_at), space.response_business_days)
    if space.response_given_at is not None:
        space.response_given_at = moments[SpaceState.RESPONSE_GIVEN]


class _ForumSeeder:
    """Fills the forum of one demo space through the forum and moderation services, adding what it lacks.

    The forum is looked up by its space, a contribution by (forum, author, title) and a reply by (thread,
    author, body). A post found there was seeded before, with its supports, follows, reports and
    moderation, and is left as it is: a visitor may have acted on it since.

    The services stamp each post with the current time. As with the spaces' history (``_date_history``),
    the demo then puts it on the forum's calendar (``when``), because a forum that opened ten days ago
    must show ten days of conversation; its notifications, supports and reports are dated with it. A post
    is never dated before what it answers became public, nor after the forum closed or now. Moderators
    act when the demo is loaded: the moderation log is append-only and keeps the time it was written, so
    in a pre-moderated forum every cause, reply and support that needed an approved post to be public
    comes at load time too.
    """

    def __init__(self, seeder: "_DemoSeeder", spec: DemoSpace, space: Space):
        self.seeder = seeder
        self.demo = spec.forum
        self.space = space
        self.official = seeder.official(spec.organism)
        self.moderators = [seeder.users[email] for email in spec.moderators]
        self.opened_on = utc_to_local(space.opens_at).date()
        self.forum: Forum | None = None
        self.posts: dict[str, ForumPost] = {}
        # When each post became public: nothing that answers, supports or reports it can be older.
        self.public_at: dict[str, datetime] = {}
        # Each thread's latest dated reply, which is its last activity.
        self.activity: dict[ForumPost, datetime] = {}

    def run(self) -> None:
        self.forum = db.session.scalar(select(Forum).where(Forum.space_id == self.space.id))
        if self.forum is None:
            details = ForumDetails(
                topic=self.demo.topic,
                context=self.demo.context,
                rules=str(DEFAULT_RULES) + self.demo.rules,
                moderation_mode=self.demo.moderation_mode,
                axes=list(self.demo.axes),
            )
            self.forum = configure_forum(self.official, self.space, details)
            self.seeder.count("forums")
        for spec in self.demo.contributions:
            self.contribution(spec)
        for spec in self.demo.replies:
            self.reply(spec)
        for thread, moment in self.activity.items():
            thread.last_activity_at = moment
        db.session.flush()

    def publish_synthesis(self, published_at: datetime) -> None:
        """The official publishes the relatoría of the closed forum; it is dated like the space's move."""
        cited = [self.posts[key].id for key in self.demo.cited]
        publish_synthesis(self.official, self.forum, text=self.demo.synthesis, cited_post_ids=cited)
        self.forum.synthesis_published_at = published_at

    def _cutoff(self) -> datetime:
        return min(self.space.closes_at, now_utc())

    def _moment(self, when: tuple[int, int, int], *not_before: datetime) -> datetime:
        day, hour, minute = when
        planned = local_to_utc(datetime.combine(self.opened_on + timedelta(days=day), time(hour, minute)))
        return min(max((planned, *not_before)), self._cutoff())

    def _later(self, moment: datetime, step: int) -> datetime:
        """A couple of hours per ``step`` after ``moment``: supports and reports arrive one after another."""
        return min(moment + timedelta(hours=2 * step), self._cutoff())

    def _remember(self, key: str, post: ForumPost, public_at: datetime) -> None:
        if key:
            self.posts[key] = post
            self.public_at[key] = public_at

    def _date_and_publish(self, post: ForumPost, moment: datetime, approved: bool) -> datetime:
        """Date a new post, and in a pre-moderated forum have the moderator approve it; returns when it became
        public. The notifications its publication sent in a post-moderated forum go with its date."""
        post.created_at = post.last_activity_at = moment
        db.session.execute(
            update(Notification)
            .where(Notification.url == post_path(post), Notification.created_at >= self.seeder.now)
            .values(created_at=moment)
        )
        if post.status is PostStatus.PENDING and approved:
            approve_post(self.moderators[0], post)
            return now_utc()
        return moment

    def contribution(self, spec: DemoContribution) -> None:
        author = self.seeder.users[spec.author]
        post = db.session.scalar(
            select(ForumPost).where(
                ForumPost.forum_id == self.forum.id,
                ForumPost.thread_id.is_(None),
                ForumPost.author_id == author.id,
                ForumPost.title == spec.title,
            )
        )
        if post is not None:
            self._remember(spec.key, post, post.created_at)
            return
        problem = self.posts[spec.problem] if spec.problem else None
        post = post_contribution(
            author,
            self.forum,
            kind=spec.kind,
            axis_id=self.forum.axes[spec.axis].id,
            title=spec.title,
            body=spec.body,
            parent_id=problem.id if problem else None,
        )
        not_before = [self.public_at[spec.problem]] if problem else []
        public_at = self._date_and_publish(post, self._moment(spec.when, *not_before), spec.approved)
        self._remember(spec.key, post, public_at)
        self.seeder.count("posts")
        for step, email in enumerate(spec.supporters, start=1):
            supporter = self.seeder.users[email]
            support(supporter, post)
            db.session.execute(
                update(PostSupport)
                .where(PostSupport.post_id == post.id, PostSupport.user_id == supporter.id)
                .values(created_at=self._later(public_at, step))
            )
        for email in spec.followers:
            follow(self.seeder.users[email], post)
        for step, (email, reason, note) in enumerate(spec.flags, start=1):
            flag = flag_post(self.seeder.users[email], post, reason=reason, note=note)
            flag.created_at = self._later(public_at, step)
        if spec.hidden_because:
            hide_post(self.moderators[0], post, reason=spec.hidden_because)

    def reply(self, spec: DemoReply) -> None:
        author = self.seeder.users[spec.author]
        thread = self.posts[spec.thread]
        reply = db.session.scalar(
            select(ForumPost).where(
                ForumPost.thread_id == thread.id, ForumPost.author_id == author.id, ForumPost.body == spec.body
            )
        )
        if reply is not None:
            self._remember(spec.key, reply, reply.created_at)
            return
        quote = self.posts[spec.quote] if spec.quote else None
        reply = post_reply(author, thread, body=spec.body, quote_id=quote.id if quote else None)
        not_before = [self.public_at[spec.thread]] + ([self.public_at[spec.quote]] if quote else [])
        moment = self._moment(spec.when, *not_before)
        self._remember(spec.key, reply, self._date_and_publish(reply, moment, approved=True))
        self.activity[thread] = max(self.activity.get(thread, thread.created_at), moment)
        self.seeder.count("posts")


class _DemoSeeder:
    """Creates whatever part of the demo is missing and counts what it created."""

    def __init__(self):
        self.now = now_utc()
        self.today = local_today(self.now)
        self.created: dict[str, int] = {}
        self.territories = {(t.kind, t.number): t for t in db.session.scalars(select(Territory))}
        self.organisms = {o.acronym: o for o in db.session.scalars(select(Organism))}
        self.groups = {g.name: g for g in db.session.scalars(select(TargetGroup))}
        self.users: dict[str, User] = {}
        self.actions: dict[str, Action] = {}

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    def official(self, acronym: str) -> User:
        """The organism's demo official, who opens and moves its spaces and forums."""
        return next(self.users[u.email] for u in DEMO_USERS if u.organism == acronym)

    def cycle(self, year: int) -> Cycle:
        """The vigencia ``year`` with its five phases spread over the calendar year."""
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == year))
        if cycle is None:
            cycle = Cycle(year=year, name=f"Vigencia {year}")
            db.session.add(cycle)
            self.count("cycles")
        present = {cycle_phase.phase for cycle_phase in cycle.phases}
        for phase, (first_month, last_month) in PHASE_MONTHS.items():
            if phase not in present:
                cycle.phases.append(
                    CyclePhase(
                        phase=phase, starts_on=date(year, first_month, 1), ends_on=_end_of_month(year, last_month)
                    )
                )
        db.session.flush()
        return cycle

    def user(self, spec: DemoUser) -> User:
        user = db.session.scalar(select(User).where(User.email == normalise_email(spec.email)))
        if user is not None:
            return user
        profile = Profile(
            territory_id=self.territories[spec.territory].id if spec.territory else None,
            age_range=spec.age_range,
            gender=spec.gender,
            ethnic_group=spec.ethnic_group,
            disability=spec.disability,
        )
        user = register_user(
            email=spec.email,
            password=DEMO_PASSWORD,
            display_name=spec.name,
            consent_channel=DEMO_CONSENT_CHANNEL,
            profile=profile,
        )
        if spec.role is Role.ADMIN:
            # Nobody can grant the first administrator role; like `flask create-admin`, it is set directly.
            user.role = Role.ADMIN
            db.session.flush()
        elif spec.role is not Role.CITIZEN:
            organism = self.organisms[spec.organism] if spec.organism else None
            grant_role(self.users[ADMIN_EMAIL], user, spec.role, organism)
        self.count("users")
        return user

    def plan(self, organism: Organism, cycle: Cycle) -> ActionPlan:
        plan = db.session.scalar(
            select(ActionPlan).where(ActionPlan.organism_id == organism.id, ActionPlan.cycle_id == cycle.id)
        )
        if plan is None:
            plan = ActionPlan(organism=organism, cycle=cycle)
            db.session.add(plan)
            db.session.flush()
            self.count("plans")
        return plan

    def action(self, spec: DemoAction, cycle: Cycle) -> Action:
        plan = self.plan(self.organisms[spec.organism], cycle)
        action = db.session.scalar(select(Action).where(Action.plan_id == plan.id, Action.title == spec.title))
        if action is not None:
            return action
        action = Action(
            plan=plan,
            procedure=spec.procedure,
            title=spec.title,
            objective=spec.objective,
            goal=spec.goal,
            indicator_name=spec.indicator_name,
            indicator_unit=spec.indicator_unit,
            indicator_baseline=spec.baseline,
            indicator_target=spec.target,
            budget=spec.budget,
            responsible_office=spec.office,
            phase=spec.phase,
            territories=[self.territories[key] for key in spec.territories],
            target_groups=[self.groups[name] for name in spec.groups],
            **_progress(spec, cycle.year, self.today),
        )
        db.session.add(action)
        db.session.flush()
        self.count("actions")
        return action

    def space(self, spec: DemoSpace, cycle: Cycle, previous_year: int) -> None:
        """Create the space as its organism's official would, and move it through its life to ``spec.state``.

        A forum is opened and filled while its space is open; once closed, its relatoría publishes its
        results (the only way an opened forum reaches that state). An existing space that is still open
        gets whatever its forum lacks.
        """
        organism = self.organisms[spec.organism]
        space = db.session.scalar(select(Space).where(Space.organism_id == organism.id, Space.title == spec.title))
        if space is not None:
            if spec.forum is not None and space.state is SpaceState.OPEN:
                _ForumSeeder(self, spec, space).run()
            return
        official = self.official(spec.organism)
        opens_at, closes_at = spec.schedule.window(self.today, self.now, previous_year)
        details = SpaceDetails(
            kind=spec.kind,
            title=spec.title,
            phase=spec.phase,
            participation_level=spec.level,
            opens_at=opens_at,
            closes_at=closes_at,
            cycle_id=cycle.id,
            description=spec.description,
            location=spec.location,
            action_id=self.actions[spec.action].id if spec.action else None,
            territory_ids=[self.territories[key].id for key in spec.territories],
            target_group_ids=[self.groups[name].id for name in spec.groups],
            moderator_ids=[self.users[email].id for email in spec.moderators],
        )
        space = create_space(official, organism, details)
        moments = _moments(spec, opens_at, closes_at, self.now)
        forum = None
        call = CallSeeder(self, spec, space, spec.call) if spec.call is not None else None
        live = LiveSeeder(self, spec, space, spec.live, ADMIN_EMAIL) if spec.live is not None else None
        for target in _path_to(spec.state):
            if call is not None and target is SpaceState.OPEN:
                call.configure()
            if call is not None and target is SpaceState.RESPONSE_GIVEN:
                call.answer_all()
            if live is not None and target is SpaceState.RESPONSE_GIVEN:
                live.answer_owed()
            if forum is not None and target is SpaceState.RESULTS_PUBLISHED:
                forum.publish_synthesis(moments[target])
            elif call is not None and target is SpaceState.RESULTS_PUBLISHED:
                call.publish_results()
            else:
                response = spec.response if target is SpaceState.RESPONSE_GIVEN else ""
                change_space_state(official, space, target, response=response, note=TRANSITION_NOTES.get(target, ""))
            if spec.forum is not None and target is SpaceState.OPEN:
                forum = _ForumSeeder(self, spec, space)
                forum.run()
            if call is not None and target is SpaceState.OPEN:
                call.fill_while_open()
            if live is not None and target is SpaceState.ANNOUNCED:
                live.announce()
            if live is not None and target is SpaceState.OPEN:
                live.run_live()
            if live is not None and target is SpaceState.CLOSED:
                live.evaluate()
        _date_history(space, moments, self.now)
        if live is not None:
            live.date_rows(moments, self.now)
        db.session.flush()
        self.count("spaces")

    def run(self) -> str:
        current = self.cycle(self.today.year)
        previous = self.cycle(self.today.year - 1)
        for spec in DEMO_USERS:
            self.users[spec.email] = self.user(spec)
        for specs, cycle in ((CURRENT_ACTIONS, current), (PREVIOUS_ACTIONS, previous)):
            for spec in specs:
                self.actions[spec.key] = self.action(spec, cycle)
        for spec in CURRENT_SPACES:
            self.space(spec, current, previous.year)
        for spec in _previous_spaces(previous.year):
            self.space(spec, previous, previous.year)
        created = self.created
        return (
            f"Demo de Foro Cali lista (vigencias {previous.year} y {current.year}). Creado en esta ejecución: "
            f"{created.get('cycles', 0)} vigencias, {created.get('plans', 0)} planes de acción, "
            f"{created.get('actions', 0)} acciones, {created.get('spaces', 0)} espacios de participación, "
            f"{created.get('forums', 0)} foros, {created.get('posts', 0)} aportes y respuestas en los foros, "
            f"{created.get('calls', 0)} convocatorias con {created.get('proposals', 0)} propuestas y "
            f"{created.get('answers', 0)} respuestas del organismo, {created.get('live_sessions', 0)} sesiones de "
            f"rendición de cuentas con {created.get('live_questions', 0)} preguntas y "
            f"{created.get('commitments', 0)} compromisos, y "
            f"{created.get('users', 0)} cuentas. Las cuentas de demostración (p. ej. {ADMIN_EMAIL}) usan la "
            f"contraseña {DEMO_PASSWORD}; la lista completa está en el README."
        )


def seed_demo() -> str:
    """Load the whole demo, creating only what is missing, and return a summary for the console."""
    load_reference_data()
    return _DemoSeeder().run()
