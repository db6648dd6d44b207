from foro.models import ParticipationLevel, SpaceKind


def test_labels_of_members_sharing_a_code_stay_apart(app):
    # Both codes are "consultation": as StrEnum members they compare equal, their labels must not.
    with app.test_request_context():
        assert ParticipationLevel.CONSULTATION.label == "Consulta"
        assert SpaceKind.CONSULTATION.label == "Consulta de borrador"
        assert ParticipationLevel.CONSULTATION.label == "Consulta"

