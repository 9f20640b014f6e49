import pytest

from nlu.components.data_signals import corrected_intent


@pytest.mark.parametrize(
    "text,intent,expected",
    [
        ("buenas, quiero poner una queja", "saludo", "reclamo_factura"),
        ("hola, me llego carisima la factura", "saludo", "reclamo_factura"),
        ("me cobran alcantarillado y no tengo", "reclamo_factura", "reclamo_alcantarillado"),
        ("cc 1036654321 contrato 123", "nlu_fallback", "informar"),
        ("asdkjhasd", "fuera_de_alcance", "nlu_fallback"),
        ("jajaja", "fuera_de_alcance", "nlu_fallback"),
        ("cancelar el reclamo", "cancelar", None),  # a confident control intent stays
        ("como pago la factura por internet", "fuera_de_alcance", None),
        ("hola", "saludo", None),
    ],
)
def test_corrected_intent(text, intent, expected):
    assert corrected_intent(text, intent, 0.9) == expected


@pytest.mark.parametrize(
    "text,intent,expected",
    [
        ("rubiela cano", "cancelar", "informar"),
        ("monica zuluaga", "negar", "informar"),
        ("jorge eliecer bueno", "afirmar", "informar"),
        ("cancelar", "cancelar", None),
        ("mejor no, cancelar", "cancelar", None),
        ("olvidelo", "cancelar", None),
        ("quiero hablar con un asesor", "pedir_asesor", None),
        ("👍", "afirmar", None),
    ],
)
def test_control_intents_need_their_words(text, intent, expected):
    assert corrected_intent(text, intent, 1.0) == expected


def test_thanks_after_filing_is_not_a_new_reclamo():
    assert corrected_intent("mil gracias mija, que Dios le pague 🙏", "agradecer", 0.95) is None


@pytest.mark.parametrize(
    "text,intent",
    [
        ("¿cuál era el número? no lo alcancé a anotar", "reclamo_alcantarillado"),
        ("oiga y cuál era el número del radicado? para anotarlo", "fuera_de_alcance"),
    ],
)
def test_asking_for_the_number(text, intent):
    assert corrected_intent(text, intent, 0.9) == "consultar_numero"


@pytest.mark.parametrize(
    "text",
    [
        "me cobran alcantarillado y el agua sucia de la casa cae directo a la quebrada",
        "por mi calle no ha llegado la red de alcantarillado y me lo cobran",
        "me cobran el desague de las aguas negras y la casa nunca la conectaron, todo va a un pozo de absorcion",
    ],
)
def test_everyday_words_for_sewer_not_provided_are_a_sewer_reclamo(text):
    assert corrected_intent(text, "reclamo_factura", 0.9) == "reclamo_alcantarillado"
