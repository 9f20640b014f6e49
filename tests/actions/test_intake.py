"""The intake logic as a customer meets it: messages in, questions and data out."""

from __future__ import annotations

from typing import List, Optional

import pytest

from actions.deps import Deps
from actions.intake import IntakeTurn
from tests.fakes.hooks import RecordingHooks


class Conversation:
    """Drives IntakeTurn the way Rasa's form loop does: one message, then the next question."""

    def __init__(self, store, settings, canal="Chat EPM"):
        self.deps = Deps(store=store, hooks=RecordingHooks(), settings=settings)
        self.slots: dict = {}
        self.requested: Optional[str] = None
        self.said: List[str] = []
        self.canal = canal

    def send(self, text: str, intent: Optional[str] = None, confidence: float = 0.0) -> Optional[str]:
        turn = IntakeTurn(self.deps, self.slots, "conv-1", self.canal)
        turn.start()
        turn.apply(text, intent, confidence, [], self.requested)
        self.said += [m.response for m in turn.result.messages]
        self.slots = turn.slots
        self.requested = turn.next_slot()
        return self.requested


def test_nothing_is_taken_before_consent_and_early_data_are_used_after_it(store, settings):
    c = Conversation(store, settings)
    assert c.send("hola soy juan perez cc 1036654321, me llego carisima la factura") == "consentimiento"
    assert c.slots.get("nombre") is None and c.slots.get("numero_documento") is None
    assert c.send("si acepto") == "contrato"  # name, id and motivo were already given
    assert c.slots["nombre"] == "Juan Perez"
    assert c.slots["numero_documento"] == "1036654321"
    assert "carisima la factura" in c.slots["motivo"]
    assert "1036654321" not in c.slots["motivo"]
    consents = store.list_consentimientos("conv-1")
    assert [x.aceptado for x in consents] == [True]
    assert consents[0].policy_version == settings.privacy_policy_version


def test_refusing_consent_takes_nothing_and_ends_the_intake(store, settings):
    c = Conversation(store, settings)
    c.send("me cobraron 300 mil de agua, cc 1036654321")
    assert c.send("no") is None
    assert c.slots["orientacion"] == "sin_consentimiento"
    assert c.slots.get("numero_documento") is None and not c.slots.get("pendientes")
    assert [x.aceptado for x in store.list_consentimientos()] == [False]


def test_ambiguous_consent_is_not_consent(store, settings):
    c = Conversation(store, settings)
    c.send("quiero poner un reclamo")
    assert c.send("para que necesitan mis datos?") == "consentimiento"
    assert "consentimiento_explicar" in c.said
    assert store.list_consentimientos() == []


def full_happy_path(c: Conversation) -> None:
    c.send("me llego muy cara la factura")
    assert c.send("sí") == "nombre"
    assert c.send("Carlos Andrés Restrepo") == "numero_documento"
    assert c.send("1017234567") == "contrato"
    assert c.send("12345678") == "notif_correo"
    assert c.send("carlos.restrepo@gmail.com") == "confirmacion"


def test_happy_path_reaches_the_read_back(store, settings):
    c = Conversation(store, settings)
    full_happy_path(c)
    assert c.slots["tipo_documento"] == "CC"
    assert c.slots["contrato"] == "12345678"
    assert c.slots["direccion"].startswith("Calle 10 # 43-25")
    assert c.send("si, todo bien") is None
    assert c.slots["confirmacion"] == "si"


def test_several_data_in_one_message_out_of_order(store, settings):
    c = Conversation(store, settings)
    c.send("buenas, necesito poner un reclamo")
    c.send("si")
    nxt = c.send(
        "mi correo es ana@hotmail.com, contrato 55501, soy Ana Lopez cc 43.512.876 y me cobraron doble el agua"
    )
    assert nxt == "confirmacion"
    assert c.slots["notif_correo"] == "ana@hotmail.com"
    assert c.slots["numero_documento"] == "43512876"
    assert c.slots["nombre"] == "Ana Lopez"


def test_correction_during_read_back_updates_and_asks_again(store, settings):
    c = Conversation(store, settings)
    full_happy_path(c)
    assert c.send("perdon, la cedula es 1017234568") == "confirmacion"
    assert c.slots["numero_documento"] == "1017234568"
    assert c.slots.get("confirmacion") is None
    assert c.send("no") == "confirmacion"
    assert "que_corregir" in c.said


@pytest.mark.parametrize(
    "answer,hint",
    [("123", "hint_documento"), ("0012345", "hint_documento"), ("NIT 900.123.456-3", "hint_documento")],
)
def test_invalid_id_is_re_asked_with_a_hint_never_stored(store, settings, answer, hint):
    c = Conversation(store, settings)
    c.send("reclamo por factura alta de energia")
    c.send("si")
    c.send("Maria Gomez")
    assert c.send(answer) == "numero_documento"
    assert hint in c.said
    assert c.slots.get("numero_documento") is None


def test_second_invalid_answer_offers_an_agent(store, settings):
    c = Conversation(store, settings)
    c.send("reclamo por factura alta de energia")
    c.send("si")
    c.send("Maria Gomez")
    c.send("12")
    c.send("34")
    assert c.said.count("hint_documento") == 2
    assert "hint_otra_vez" in c.said


def test_nit_with_valid_check_digit_is_accepted(store, settings):
    c = Conversation(store, settings)
    c.send("reclamo por cobro excesivo del gas")
    c.send("si")
    c.send("Comercial Andina")
    c.send("NIT 900.123.456-8")
    assert c.slots["tipo_documento"] == "NIT"
    assert c.slots["numero_documento"] == "900123456"


def test_unknown_contract_is_not_accepted(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura del agua")
    c.send("si")
    c.send("Luis Mejia")
    c.send("cc 71888999")
    assert c.send("contrato 99999999") == "contrato"
    assert "hint_contrato" in c.said
    assert c.slots.get("contrato") is None
    # an address is enough when there is no contract at hand
    assert c.send("calle 80 # 20-15 apto 302, Itagüí") == "notif_correo"
    assert c.slots["direccion"].lower().startswith("calle 80")


def test_address_matching_one_contract_identifies_it(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez")
    c.send("1036654321")
    c.send("cll 10 no 43 25")
    assert c.slots["contrato"] == "12345678"


def test_notification_falls_back_from_email_to_sms_to_address(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez")
    c.send("1036654321")
    c.send("12345678")
    assert c.send("no tengo correo") == "notif_celular"
    assert c.send("tampoco tengo celular") == "notif_direccion"
    assert c.send("la misma") == "confirmacion"
    assert c.slots["notif_direccion"].startswith("Calle 10 # 43-25")


def test_mobile_number_is_normalised(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez")
    c.send("1036654321")
    c.send("12345678")
    c.send("no tengo")
    assert c.send("310 555 1234") == "confirmacion"
    assert c.slots["notif_celular"] == "+573105551234"


def test_bad_email_is_re_asked(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez")
    c.send("1036654321")
    c.send("12345678")
    assert c.send("juan@gmail") == "notif_correo"
    assert "hint_correo" in c.said


def test_hooks_are_told_when_data_is_requested(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    assert c.requested == "consentimiento"


# --- the filing rules inside the dialogue (issue: alcantarillado no prestado, persona jurídica) ---


def test_sewer_claim_with_payments_is_redirected_before_more_questions(store, settings):
    c = Conversation(store, settings)
    c.send("me cobran alcantarillado y no tengo alcantarillado")
    c.send("si")
    c.send("Ana Lopez")
    c.send("43512876")
    assert c.send("contrato 55501") is None
    assert c.slots["orientacion"] == "alcantarillado_no_prestado"
    assert "pago" in c.slots["orientacion_razon"]


def test_sewer_claim_without_payments_continues(store, settings):
    c = Conversation(store, settings)
    c.send("tengo pozo septico y me cobran alcantarillado")
    c.send("si")
    c.send("Rosa Gomez")
    c.send("70111222")
    assert c.send("55502") == "notif_correo"
    assert c.slots["tipo_reclamo"] == "alcantarillado_no_prestado"


def test_sewer_claim_by_unknown_address_asks_for_the_contract_then_redirects(store, settings):
    c = Conversation(store, settings)
    c.send("no tenemos red de alcantarillado y viene en la factura")
    c.send("si")
    c.send("Luis Mejia")
    c.send("71888999")
    assert c.send("calle 99 # 9-99 Copacabana") == "contrato"
    assert c.send("no lo tengo") is None
    assert c.slots["orientacion"] == "alcantarillado_no_prestado"
    assert "contrato no identificado" in c.slots["orientacion_razon"]


def test_commercial_contract_of_a_company_is_redirected(store, settings):
    c = Conversation(store, settings)
    c.send("la factura del local llego muy alta")
    c.send("si")
    c.send("Marta Ruiz")
    c.send("cc 43000111")
    assert c.send("contrato 77701") is None
    assert c.slots["orientacion"] == "persona_juridica"


def test_commercial_contract_of_a_person_records_the_relationship(store, settings):
    c = Conversation(store, settings)
    c.send("la factura del local llego muy alta")
    c.send("si")
    c.send("Marta Ruiz")
    c.send("cc 43000111")
    assert c.send("contrato 77702") == "relacion_inmueble"
    assert c.send("soy la arrendataria del local") == "notif_correo"
    assert c.slots["relacion_inmueble"] == "arrendatario"


def test_free_text_relationship(store, settings):
    c = Conversation(store, settings)
    c.send("la factura del local llego muy alta")
    c.send("si")
    c.send("Marta Ruiz")
    c.send("cc 43000111")
    c.send("contrato 77702")
    c.send("le ayudo a mi vecino con las cuentas")
    assert c.slots["relacion_inmueble"] == "otro: le ayudo a mi vecino con las cuentas"


@pytest.mark.parametrize(
    "reply", ["no tengo correo", "no, el celular es 3157778890", "no se que es eso pero mi cedula es 123456"]
)
def test_a_no_about_something_else_is_not_a_refusal_of_consent(store, settings, reply):
    c = Conversation(store, settings)
    c.send("quiero poner un reclamo")
    assert c.send(reply) == "consentimiento"
    assert c.slots.get("orientacion") is None
    assert store.list_consentimientos() == []


@pytest.mark.parametrize("reply", ["no", "No acepto", "no autorizo", "nop", "no gracias"])
def test_explicit_refusals(store, settings, reply):
    c = Conversation(store, settings)
    c.send("quiero poner un reclamo")
    assert c.send(reply) is None
    assert c.slots["orientacion"] == "sin_consentimiento"


def test_address_matched_in_billing_takes_the_billing_address(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Jhon Ospina")
    c.send("98765432")
    c.send("vivo en la cra 45 # 12-30 bello")
    assert c.slots["contrato"] == "55501"
    assert c.slots["direccion"] == "Carrera 45 # 12-30, Bello"


def test_a_bare_full_name_typed_before_consent_is_kept(store, settings):
    c = Conversation(store, settings)
    c.send("buenas, quiero poner una queja")
    c.send("Pedro Pablo Gil")
    c.send("c.c 8.123.456")
    assert c.send("si") == "motivo"
    assert c.slots["nombre"] == "Pedro Pablo Gil" and c.slots["numero_documento"] == "8123456"


def test_saying_early_there_is_no_email_skips_that_question(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez, no tengo correo")
    c.send("1036654321")
    assert c.send("12345678") == "notif_celular"


def test_no_email_nor_mobile_in_one_answer_goes_to_the_address(store, settings):
    c = Conversation(store, settings)
    c.send("me cobran alcantarillado y tengo pozo septico")
    c.send("si")
    c.send("Rosa Gomez cc 70111222")
    c.send("contrato 55502")
    assert c.send("no tengo correo ni celular") == "notif_direccion"
    assert c.send("Vereda La Palma Km 3, Rionegro") == "confirmacion"


def test_an_address_when_asked_for_a_mobile_is_taken_for_the_citation(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez cc 1036654321 contrato 12345678")
    c.send("no tengo correo")
    assert c.send("mandenme la citacion a la calle 10 # 43-25") == "confirmacion"
    assert c.slots["notif_direccion"] == "calle 10 # 43-25"


def test_document_type_then_number(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("John Smith")
    assert c.send("cedula de extranjeria") == "numero_documento"
    c.send("456789")
    assert (c.slots["tipo_documento"], c.slots["numero_documento"]) == ("CE", "456789")


def test_this_same_number_on_whatsapp(store, settings):
    c = Conversation(store, settings, canal="WhatsApp")
    c.deps.hooks  # noqa
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez cc 1036654321 contrato 12345678")
    c.send("no tengo correo")
    turn_id = "whatsapp:+573001234567"
    from actions.intake import IntakeTurn

    t = IntakeTurn(c.deps, c.slots, turn_id, "WhatsApp")
    t.apply("a este mismo numero", None, 0.0, [], "notif_celular")
    assert t.slots["notif_celular"] == "+573001234567"


@pytest.mark.parametrize("reply", ["está perfecto", "todo correcto gracias", "Si, radícalo", "confirmo"])
def test_more_ways_to_confirm(store, settings, reply):
    c = Conversation(store, settings)
    full_happy_path(c)
    assert c.send(reply) is None


def test_corrections_at_read_back(store, settings):
    c = Conversation(store, settings)
    full_happy_path(c)
    assert c.send("el nombre es Carlos Andrés Restrepo Gil") == "confirmacion"
    assert c.slots["nombre"] == "Carlos Andrés Restrepo Gil"
    c.send("cambia el correo a carlos.rg@gmail.com")
    assert c.slots["notif_correo"] == "carlos.rg@gmail.com"


def test_greeting_is_not_part_of_the_motivo(store, settings):
    c = Conversation(store, settings)
    c.send("Hola buenas tardes, me llego el doble de lo normal en la factura de energia")
    c.send("si")
    assert c.slots["motivo"].startswith("Me llego el doble")


# --- from the conversation corpus (tests/e2e/corpus) ---


def test_a_valid_email_gets_no_hint(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez cc 1036654321 contrato 12345678")
    assert c.send("juan.p@gmail.com") == "confirmacion"
    assert "hint_correo" not in c.said


@pytest.mark.parametrize("reply", ["no se... no me gusta dar mis datos por aca, mejor no", "cancelar"])
def test_refusal_words_at_consent_are_a_recorded_refusal(store, settings, reply):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    assert c.send(reply, intent="cancelar", confidence=0.99) is None
    assert c.slots["orientacion"] == "sin_consentimiento"
    assert [x.aceptado for x in store.list_consentimientos()] == [False]


def test_a_question_about_consent_gets_the_explanation(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    assert c.send("y eso para que es?", intent="fuera_de_alcance", confidence=0.91) == "consentimiento"
    assert "consentimiento_explicar" in c.said


def test_a_name_classified_as_cancel_is_a_name(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    assert c.send("rubiela cano", intent="cancelar", confidence=1.0) == "numero_documento"
    assert c.slots["nombre"] == "Rubiela Cano"


def test_soy_something_later_does_not_replace_the_name(store, settings):
    c = Conversation(store, settings)
    c.send("la factura del local llego muy alta")
    c.send("si")
    c.send("Hector Fabio Londoño cc 71888999 contrato 77702")
    c.send("soy empleada, trabajo ahi de estilista")
    assert c.slots["nombre"] == "Hector Fabio Londoño"
    assert c.slots["relacion_inmueble"] == "empleado"


def test_answers_are_not_appended_to_the_motivo(store, settings):
    c = Conversation(store, settings)
    c.send("me cobraron doble la energia")
    c.send("si")
    c.send("mauricio gallego")
    c.send("luz dary montoya")
    assert c.slots["motivo"] == "Me cobraron doble la energia"
    c.send("cc 71888999")
    c.send("y tambien me cobraron una reconexion que nunca hicieron")
    assert "reconexion" in c.slots["motivo"]
    assert c.slots["tipo_reclamo"] == "factura"


def test_corrected_nit_keeps_type_and_check_digit(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Comercial Andina")
    c.send("NIT 900.123.456-3")
    assert c.send("uy perdon, es 900.123.456-8") == "contrato"
    assert (c.slots["tipo_documento"], c.slots["numero_documento"]) == ("NIT", "900123456")


def test_a_landline_is_not_a_mobile_nor_an_address(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez cc 1036654321 contrato 12345678")
    c.send("no tengo correo")
    assert c.send("tengo el fijo 604 444 5566") == "notif_celular"
    assert "hint_celular" in c.said and not c.slots.get("notif_direccion")


def test_contract_corrected_at_the_read_back(store, settings):
    c = Conversation(store, settings)
    full_happy_path(c)
    assert c.send("ay no, ese contrato no es, el correcto es 55501") == "confirmacion"
    assert c.slots["contrato"] == "55501"


def test_relationship_is_not_taken_on_a_residential_contract(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara, somos 2 personas y trabajamos todo el dia")
    c.send("si")
    c.send("Juan Perez cc 1036654321 contrato 12345678")
    assert c.slots.get("relacion_inmueble") is None


# --- from the second corpus ---


def test_yes_but_with_a_correction_corrects(store, settings):
    c = Conversation(store, settings)
    full_happy_path(c)
    assert c.send("sí pero la cédula está mal, es 1017234568") == "confirmacion"
    assert c.slots["numero_documento"] == "1017234568"


def test_holder_named_in_the_message_is_not_the_customer(store, settings):
    c = Conversation(store, settings)
    c.send(
        "la luz llego carisima, el contrato 12345678 esta a nombre de Gilma Restrepo, mi suegra; "
        "yo soy Andres Felipe Marin, cc 71789456"
    )
    c.send("si")
    assert c.slots["nombre"] == "Andres Felipe Marin"


def test_an_unintroduced_name_among_other_data(store, settings):
    c = Conversation(store, settings)
    c.send(
        "mi correo es lina.arango@gmail.com, cc 43999888, lina marcela arango, contrato 12345678. "
        "me cobraron doble el agua"
    )
    assert c.send("si") == "confirmacion"
    assert c.slots["nombre"] == "Lina Marcela Arango"


def test_a_question_is_not_more_detail_of_the_motivo(store, settings):
    c = Conversation(store, settings)
    c.send("me cobraron doble el agua")
    c.send("si")
    c.send("Ana Lopez cc 43512876")
    c.send("¿me van a cobrar algo por poner el reclamo?")
    assert c.slots["motivo"] == "Me cobraron doble el agua"


def test_emoji_confirmation(store, settings):
    c = Conversation(store, settings)
    full_happy_path(c)
    assert c.send("✅✅") is None


# --- from the third corpus ---


def test_no_gracias_with_a_reason_is_a_refusal(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    assert c.send("no, gracias, prefiero ir a la oficina", intent="fuera_de_alcance", confidence=0.95) is None
    assert c.slots["orientacion"] == "sin_consentimiento"


def test_daughter_of_the_owner_is_family(store, settings):
    c = Conversation(store, settings)
    c.send("la factura del local llego muy alta")
    c.send("si")
    c.send("Marta Ruiz cc 43000111 contrato 77702")
    c.send("la hija de la dueña")
    assert c.slots["relacion_inmueble"] == "familiar"


def test_rural_address_inside_a_longer_answer_finds_the_contract(store, settings):
    c = Conversation(store, settings)
    c.send("tengo pozo septico y me cobran alcantarillado")
    c.send("si")
    c.send("Rosa Gomez cc 70111222")
    c.send("no tengo el recibo a la mano, es en la vereda la palma km 3, rionegro")
    assert c.slots["contrato"] == "55502"
    assert c.slots["direccion"] == "Vereda La Palma Km 3, Rionegro"


def test_address_next_to_a_billed_contract_keeps_the_billing_address(store, settings):
    c = Conversation(store, settings)
    c.send("tengo el contrato 12345678, la casa es en la calle 10 # 43-25, y la factura de energia llego en 700 mil")
    c.send("si")
    assert c.slots["direccion"] == "Calle 10 # 43-25, Medellín"
    assert "43-25" not in c.slots["motivo"] and "Tengo el" not in c.slots["motivo"]


def test_asking_for_the_number_mid_form_is_not_data(store, settings):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("cual era el numero del radicado?")
    assert "hint_nombre" not in c.said and c.requested == "nombre"
