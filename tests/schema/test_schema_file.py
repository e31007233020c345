"""The exported schema is the contract: code and file must agree."""

from pathlib import Path

from schema.export import sdl


def test_schema_graphql_matches_the_code():
    exported = Path(__file__).resolve().parents[2] / "schema.graphql"
    assert exported.read_text() == sdl(), "schema.graphql is stale: run `make schema`"


def test_the_contract_names_are_in_the_schema():
    text = sdl()
    for name in (
        "clinic(slug: String!): Clinic",
        "availableSlots(clinicSlug: String!, treatmentId: ID!, from: Date!, to: Date!",
        "me: ClientAccount",
        "appointment(id: ID!): Appointment",
        "calendar(from: DateTime!, to: DateTime!",
        "signIn(clinicSlug: String!, email: String!, password: String!): SignInPayload!",
        "staffSignIn(email: String!, password: String!): SignInPayload!",
        "signOut: SignOutPayload!",
        "createPrefillToken: CreatePrefillTokenPayload!",
        "redeemPrefillToken(token: String!): RedeemPrefillTokenPayload!",
        "bookAppointment(input: BookAppointmentInput!): BookAppointmentPayload!",
        "cancelAppointment(id: ID!, reason: String = null): CancelAppointmentPayload!",
        "rescheduleAppointment(id: ID!, start: DateTime!, practitionerId: ID = null): RescheduleAppointmentPayload!",
        "calendarUpdates(practitionerIds: [ID!] = null",  # both streams also take an optional `after` cursor
        "myAppointmentUpdates(after: String = null): CalendarEvent!",
        "TOKEN_ALREADY_USED",
        "IDEMPOTENCY_CONFLICT",
    ):
        assert name in text, name
