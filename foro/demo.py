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

from sqlalchemy import select

from foro.extensions import db
from foro.models import (
    Action,
    ActionPlan,
    ActionStatus,
    AgeRange,
    Cycle,
    CyclePhase,
    Disability,
    EthnicGroup,
    Gender,
    Organism,
    ParticipationLevel,
    Phase,
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
MODERATOR_1 = "moderacion1@demo.foro.cali"
MODERATOR_2 = "moderacion2@demo.foro.cali"

DEMO_USERS = (
    DemoUser(ADMIN_EMAIL, "Administración Foro Cali", Role.ADMIN),
    DemoUser("sdtpc@demo.foro.cali", "Diana Marcela Ospina", Role.OFFICIAL, organism="SDTPC"),
    DemoUser("ssp@demo.foro.cali", "Carlos Alberto Velasco", Role.OFFICIAL, organism="SSP"),
    DemoUser("smov@demo.foro.cali", "Luisa Fernanda Cuero", Role.OFFICIAL, organism="SMOV"),
    DemoUser("dagma@demo.foro.cali", "Julián Andrés Potes", Role.OFFICIAL, organism="DAGMA"),
    DemoUser("sem@demo.foro.cali", "Martha Lucía Saavedra", Role.OFFICIAL, organism="SEM"),
    DemoUser(MODERATOR_1, "Paola Andrea Riascos", Role.MODERATOR),
    DemoUser(MODERATOR_2, "Jhon Fredy Mosquera", Role.MODERATOR),
    DemoUser(
        "ciudadana1@demo.foro.cali",
        "Yolanda Angulo",
        Role.CITIZEN,
        territory=(COMUNA, 15),
        age_range=AgeRange.FROM_46_TO_59,
        gender=Gender.WOMAN,
        ethnic_group=EthnicGroup.AFRO,
        disability=Disability.NO,
    ),
    DemoUser(
        "ciudadano2@demo.foro.cali",
        "Camilo Erazo",
        Role.CITIZEN,
        territory=(COMUNA, 2),
        age_range=AgeRange.FROM_18_TO_28,
        gender=Gender.MAN,
    ),
    DemoUser(
        "ciudadana3@demo.foro.cali",
        "Rosa Elvira Chocué",
        Role.CITIZEN,
        territory=(COMUNA, 20),
        age_range=AgeRange.FROM_60,
        gender=Gender.WOMAN,
        ethnic_group=EthnicGroup.INDIGENOUS,
        disability=Disability.YES,
    ),
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
        response_after_days=20,
        response=(
            "<p>Recibimos <strong>64 propuestas</strong> de 27 organizaciones y 19 personas. La JAL de la "
            "Comuna 18 las revisó en tres sesiones abiertas y priorizó 9 proyectos con la comunidad.</p>"
            "<ul><li><strong>Incluidas en el plan de inversión:</strong> 9 propuestas, entre ellas la "
            "escuela de formación deportiva de Alto Nápoles y la adecuación del salón comunal de Los "
            "Chorros.</li>"
            "<li><strong>Unidas a otras:</strong> 14 propuestas parecidas se integraron a las 9 "
            "priorizadas.</li>"
            "<li><strong>No incluidas:</strong> 41 propuestas, por superar el presupuesto disponible o por "
            "corresponder a otros organismos. A cada proponente le explicamos por qué y a qué organismo "
            "trasladamos su propuesta.</li></ul>"
            "<p>El avance de los proyectos priorizados se reporta en la acción «Acompañamiento a las JAL "
            "en la priorización del presupuesto participativo».</p>"
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
            "<p>Participaron 18 COPACOS y 142 personas. Recibimos 57 preguntas: todas se respondieron en la "
            "sesión o por escrito en los diez días siguientes.</p>"
            "<p><strong>Compromisos:</strong></p>"
            "<ul><li>Ampliar hasta las 7:00 p. m. el horario del puesto de salud de Siloé (responsable: Red "
            "de Salud de Ladera).</li>"
            "<li>Publicar cada trimestre los tiempos de espera para cita de medicina general, por comuna.</li>"
            "<li>Instalar en cada centro de salud un buzón de sugerencias con respuesta en 15 días "
            "hábiles.</li></ul>"
            "<p>El avance de estos compromisos se reporta en la acción «Seguimiento ciudadano a la red "
            "pública con los COPACOS».</p>"
        ),
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
        state=SpaceState.CLOSED,
        level=ParticipationLevel.INTERACTIVE,
        title="Foro: transporte público en la ladera de Siloé y Terrón Colorado",
        description=(
            "<p>Un foro para analizar con la comunidad y los transportadores el servicio de transporte en "
            "los barrios de ladera de las comunas 1 y 20.</p>"
            "<ul><li>Rutas, frecuencias y horarios.</li>"
            "<li>Estado de las vías y de los paraderos.</li>"
            "<li>Propuestas que se llevarán a las mesas de movilidad de ladera.</li></ul>"
        ),
        # Closed three days ago: the response is still within its term.
        schedule=Schedule(-24, length_days=21),
        action="smov-ladera",
        territories=((COMUNA, 1), (COMUNA, 20)),
        groups=(COMMUNITY_BOARDS, BUSINESS, EVERYONE),
        moderators=(MODERATOR_2,),
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

    def _count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    def cycle(self, year: int) -> Cycle:
        """The vigencia ``year`` with its five phases spread over the calendar year."""
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == year))
        if cycle is None:
            cycle = Cycle(year=year, name=f"Vigencia {year}")
            db.session.add(cycle)
            self._count("cycles")
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
        self._count("users")
        return user

    def plan(self, organism: Organism, cycle: Cycle) -> ActionPlan:
        plan = db.session.scalar(
            select(ActionPlan).where(ActionPlan.organism_id == organism.id, ActionPlan.cycle_id == cycle.id)
        )
        if plan is None:
            plan = ActionPlan(organism=organism, cycle=cycle)
            db.session.add(plan)
            db.session.flush()
            self._count("plans")
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
        self._count("actions")
        return action

    def space(self, spec: DemoSpace, cycle: Cycle, previous_year: int) -> None:
        """Create the space as its organism's official would, and move it through its life to ``spec.state``."""
        organism = self.organisms[spec.organism]
        if db.session.scalar(select(Space.id).where(Space.organism_id == organism.id, Space.title == spec.title)):
            return
        official = next(self.users[u.email] for u in DEMO_USERS if u.organism == spec.organism)
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
        for target in _path_to(spec.state):
            response = spec.response if target is SpaceState.RESPONSE_GIVEN else ""
            change_space_state(official, space, target, response=response, note=TRANSITION_NOTES.get(target, ""))
        _date_history(space, _moments(spec, opens_at, closes_at, self.now), self.now)
        db.session.flush()
        self._count("spaces")

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
            f"{created.get('actions', 0)} acciones, {created.get('spaces', 0)} espacios de participación y "
            f"{created.get('users', 0)} cuentas. Las cuentas de demostración (p. ej. {ADMIN_EMAIL}) usan la "
            f"contraseña {DEMO_PASSWORD}; la lista completa está en el README."
        )


def seed_demo() -> str:
    """Load the whole demo, creating only what is missing, and return a summary for the console."""
    load_reference_data()
    return _DemoSeeder().run()
