"""Issue 11, "Customers as they really write": each kind of message in several wordings, driven
through the intake the way Rasa's form loop drives it (see ``Conversation`` in test_intake)."""

from __future__ import annotations

import pytest

from tests.actions.test_intake import Conversation


def at_email_question(c: Conversation) -> None:
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Juan Perez cc 1036654321 contrato 12345678")
    assert c.requested == "notif_correo"


# --- answering the question about one medium with another -----------------------------------


@pytest.mark.parametrize(
    "answer,direccion",
    [
        ("correo no tengo, mejor mándenme la carta a la casa: calle 10 # 5-20, Belén", "calle 10 # 5-20"),
        ("eso no lo manejo, que me llegue a mi casa en la cra 50 # 30-15 bello", "cra 50 # 30-15, Bello"),
        ("no uso email, la citacion a la calle 33 # 70-12 en Itagüí por favor", "calle 33 # 70-12, Itagüí"),
    ],
)
def test_a_physical_address_instead_of_an_email(store, settings, answer, direccion):
    c = Conversation(store, settings)
    at_email_question(c)
    assert c.send(answer) == "confirmacion"
    assert c.slots["notif_direccion"].startswith(direccion)
    assert c.slots["notif_correo"] == "no" and c.slots["notif_celular"] == "no"
    assert c.slots["contrato"] == "12345678"  # the premises are not replaced by the citation address
    assert "hint_correo" not in c.said


@pytest.mark.parametrize("answer", ["a la misma direccion de la casa", "mándenla a la casa, la misma del contrato"])
def test_the_premises_address_instead_of_an_email(store, settings, answer):
    c = Conversation(store, settings)
    at_email_question(c)
    assert c.send(answer) == "confirmacion"
    assert c.slots["notif_direccion"] == "Calle 10 # 43-25, Medellín"


@pytest.mark.parametrize(
    "answer,celular",
    [
        ("correo no tengo mija, al cel me puede escribir 3104567788", "+573104567788"),
        ("mejor por mensaje de texto al 315 222 3344", "+573152223344"),
        ("no manejo eso, escribame al whatsapp 300-123-4567", "+573001234567"),
        ("mándeme un mensajito al 321 654 9870 que el correo se me olvidó la clave", "+573216549870"),
    ],
)
def test_a_mobile_instead_of_an_email(store, settings, answer, celular):
    c = Conversation(store, settings)
    at_email_question(c)
    assert c.send(answer) == "confirmacion"
    assert c.slots["notif_celular"] == celular and c.slots["notif_correo"] == "no"
    assert "hint_correo" not in c.said


def test_an_email_instead_of_a_mobile(store, settings):
    c = Conversation(store, settings)
    at_email_question(c)
    c.send("no tengo correo")
    assert c.send("ah no, espere, el de mi hija sí: laura.perez@gmail.com") == "confirmacion"
    assert c.slots["notif_correo"] == "laura.perez@gmail.com"


# --- correcting oneself inside one message ----------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "es el 55501, ay no, me equivoqué, es el 55502",
        "contrato 55501... perdón, 55502",
        "55501 no espera, mejor dicho el 55502",
    ],
)
def test_contract_corrected_in_the_same_message(store, settings, answer):
    c = Conversation(store, settings)
    c.send("tengo pozo septico y me cobran alcantarillado")
    c.send("si")
    c.send("Rosa Gomez cc 70111222")
    assert c.requested == "contrato"
    c.send(answer)
    assert c.slots["contrato"] == "55502"
    assert c.slots.get("numero_documento") == "70111222"


@pytest.mark.parametrize(
    "answer,numero",
    [
        ("cc 43512876, ay no, esa es la de mi esposo, la mía es 43512877", "43512877"),
        ("mi cedula es 1017234567 perdon me equivoque es 1017234568", "1017234568"),
        ("1036654320, uy no, corrijo: 1036654321", "1036654321"),
    ],
)
def test_document_corrected_in_the_same_message(store, settings, answer, numero):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Ana Lopez")
    c.send(answer)
    assert c.slots["numero_documento"] == numero
    assert c.slots.get("contrato") is None


@pytest.mark.parametrize(
    "answer,email",
    [
        ("ana.lopez@hotmail.com, ay no, me equivoqué, es ana.lopez@gmail.com", "ana.lopez@gmail.com"),
        ("mi correo es analo@gmal.com perdon analo@gmail.com", "analo@gmail.com"),
    ],
)
def test_email_corrected_in_the_same_message(store, settings, answer, email):
    c = Conversation(store, settings)
    at_email_question(c)
    assert c.send(answer) == "confirmacion"
    assert c.slots["notif_correo"] == email


@pytest.mark.parametrize(
    "answer,nombre",
    [
        ("me llamo Yeison Arley Gomes, perdón, Gómez con z", "Gómez"),
        ("Jhon Fredy Rua ay no, me equivoqué, es John Fredy Rúa", "John Fredy Rúa"),
        ("mi nombre es Luz Dary Ossa, mejor dicho Luz Dary de la Ossa", "Luz Dary de la Ossa"),
    ],
)
def test_name_corrected_in_the_same_message(store, settings, answer, nombre):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send(answer)
    assert nombre in c.slots["nombre"]


# --- the sewer service not provided, in everyday words ----------------------------------------

SEWER_NOT_PROVIDED = [
    "me cobran alcantarillado y aca el agua sucia de la casa cae directo a la quebrada",
    "por mi calle no ha llegado la red de alcantarillado y en la factura me aparece el cobro",
    "me cobran el desague de las aguas negras y la casa nunca la conectaron, todo va a un pozo de absorcion",
    "me llega cobro de alcantarillado pero el edificio nunca lo empataron al colector",
    "me cobran alcantarillado y la red no llega hasta esta parte de la vereda",
    "en mi cuadra no hay alcantarillado, las aguas servidas caen a un caño y me lo estan cobrando",
]


@pytest.mark.parametrize("motivo", SEWER_NOT_PROVIDED)
def test_everyday_words_trigger_the_sewer_rule_like_the_literal_phrase(store, settings, motivo):
    literal, everyday = Conversation(store, settings), Conversation(store, settings)
    for c, first in ((literal, "me cobran alcantarillado no prestado"), (everyday, motivo)):
        c.send(first)
        c.send("si")
        c.send("Ana Lopez cc 43512876")
        c.send("contrato 55501")  # billing shows sewer payments
    assert everyday.slots["tipo_reclamo"] == literal.slots["tipo_reclamo"] == "alcantarillado_no_prestado"
    assert everyday.requested is None and everyday.slots["orientacion"] == literal.slots["orientacion"]


@pytest.mark.parametrize("motivo", SEWER_NOT_PROVIDED[:3])
def test_everyday_sewer_words_without_payments_are_filed_as_sewer(store, settings, motivo):
    c = Conversation(store, settings)
    c.send(motivo)
    c.send("si")
    c.send("Rosa Gomez cc 70111222")
    assert c.send("contrato 55502") == "notif_correo"
    assert c.slots["tipo_reclamo"] == "alcantarillado_no_prestado"


# --- a municipality given with an address ---------------------------------------------------------


@pytest.mark.parametrize(
    "answer,direccion",
    [
        ("no tengo el contrato, la casa es la calle 75 sur # 43b-60 en sabaneta", "calle 75 sur # 43b-60, Sabaneta"),
        ("vivo en la calle 80 sur #60-15 del municipio de la estrella", "calle 80 sur #60-15, La Estrella"),
        ("en Copacabana, cra 50 # 45-10", "cra 50 # 45-10, Copacabana"),
    ],
)
def test_the_municipality_stays_with_the_address(store, settings, answer, direccion):
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Luis Mejia cc 71888999")
    c.send(answer)
    assert c.slots["direccion"] == direccion


def test_the_municipality_picks_the_contract_among_equal_street_addresses(store, settings):
    from crm_adapter.models import Contrato, Titular

    store.upsert_contratos(
        [
            Contrato(
                "6400021",
                "Carrera 45 # 12-30",
                "Itagüí",
                "residencial",
                Titular("CC", "43640121", "Olga B"),
                ["energia"],
            )
        ]
    )
    c = Conversation(store, settings)
    c.send("me llego muy cara la factura")
    c.send("si")
    c.send("Olga Betancur cc 43640121")
    c.send("no tengo el contrato, la casa es la cra 45 # 12-30 en itagüí")
    assert c.slots["contrato"] == "6400021"
    assert "Itagüí" in c.slots["direccion"]


# --- adding to the complaint while asked something else -------------------------------------------


@pytest.mark.parametrize(
    "extra,asked",
    [
        ("y eso que siempre pago 120 mil", "numero_documento"),
        ("y ojo que ya van 3 meses cobrandome lo mismo", "numero_documento"),
        ("ah y el medidor esta dañado desde enero, eso no lo han cambiado", "numero_documento"),
    ],
)
def test_detail_added_while_asked_something_else_joins_the_motivo(store, settings, extra, asked):
    c = Conversation(store, settings)
    c.send("me llego la luz en 400 mil")
    c.send("si")
    c.send("Ana Lopez")
    assert c.requested == asked
    assert c.send(extra) == asked  # the question is asked again
    assert c.slots["motivo"].startswith("Me llego la luz en 400 mil")
    assert P_norm(extra.split(" ", 3)[-1]) in P_norm(c.slots["motivo"])
    assert "hint_documento" not in c.said and c.slots.get("numero_documento") is None


def test_detail_added_at_the_email_question_joins_the_motivo(store, settings):
    c = Conversation(store, settings)
    at_email_question(c)
    assert c.send("y eso que siempre pago como 120 mil") == "notif_correo"
    assert "120 mil" in c.slots["motivo"] and "hint_correo" not in c.said


# --- greetings and emojis are not part of the motivo -------------------------------------------


@pytest.mark.parametrize(
    "first,motivo",
    [
        ("😡😡 holaaa 🙋‍♀️ me llegó la factura de la luz en 520 mil 💸💸", "Me llegó la factura de la luz en 520 mil"),
        ("Buenos días, bendiciones 🙏 la factura del agua llegó en 300 mil", "La factura del agua llegó en 300 mil"),
        ("hola buenas tardes!! 😊 me cobraron doble el gas 😤😤", "Me cobraron doble el gas"),
        ("buenas noches, que tal, la energia llego altisima 😱", "La energia llego altisima"),
    ],
)
def test_greetings_and_emojis_are_not_recorded_in_the_motivo(store, settings, first, motivo):
    c = Conversation(store, settings)
    c.send(first)
    c.send("si")
    assert c.slots["motivo"] == motivo


def P_norm(text: str) -> str:
    from textkit.normalize import norm

    return norm(text)


def test_words_announcing_the_addition_are_not_recorded(store, settings):
    c = Conversation(store, settings)
    c.send("la luz del local me llego en 980 mil")
    c.send("si")
    c.send("Juan Perez cc 1036654321 contrato 12345678 juan@gmail.com")
    assert c.requested == "confirmacion"
    assert c.send("antes de eso agreguele que el contador lo cambiaron el mes pasado") == "confirmacion"
    assert c.slots["motivo"] == "La luz del local me llego en 980 mil. El contador lo cambiaron el mes pasado"


@pytest.mark.parametrize(
    "answer,slot,value",
    [
        ("mejor mándeme un mensaje al 3001234567", "notif_celular", "+573001234567"),
        ("ah no, mejor al correo de mi hijo: pedro.perez@gmail.com", "notif_correo", "pedro.perez@gmail.com"),
    ],
)
def test_another_medium_when_asked_for_the_address(store, settings, answer, slot, value):
    c = Conversation(store, settings)
    at_email_question(c)
    c.send("no tengo correo")
    c.send("tampoco tengo celular")
    assert c.requested == "notif_direccion"
    assert c.send(answer) == "confirmacion"
    assert c.slots[slot] == value and "hint_direccion" not in c.said
