import pytest

from textkit import parsing as P


@pytest.mark.parametrize(
    "text,tipo,numero",
    [
        ("mi cedula es 1036654321", "CC", "1036654321"),
        ("c.c. 71.234.567 de medellin", "CC", "71.234.567"),
        ("CC:43512876", "CC", "43512876"),
        ("NIT 890.904.996-1", "NIT", "890.904.996-1"),
        ("cedula de extranjeria 456789", "CE", "456789"),
        ("pasaporte AB123456", "PA", "AB123456"),
        ("ppt 1234567", "PPT", "1234567"),
        ("documento 1036654321", None, "1036654321"),
    ],
)
def test_documents(text, tipo, numero):
    doc = P.find_document(text)
    assert doc and doc.kind == tipo and doc.value == numero


@pytest.mark.parametrize(
    "text,expected",
    [
        ("contrato 12345678", "12345678"),
        ("el numero de contrato es 987654", "987654"),
        ("mi contrato: 5521478", "5521478"),
        ("cto # 55.501", "55501"),
    ],
)
def test_contracts(text, expected):
    assert P.find_contract(text).value == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("$1.250.000", 1250000),
        ("me cobraron 350 mil", 350000),
        ("llego de 1'250.000 pesos", 1250000),
        ("casi 2 millones", 2000000),
        ("un millon de pesos", 1000000),
        ("pague 80000 pesos", 80000),
    ],
)
def test_amounts(text, expected):
    assert P.find_amount(text).value == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("si", True),
        ("Sí, claro", True),
        ("dale", True),
        ("si autorizo", True),
        ("de acuerdo", True),
        ("no", False),
        ("No acepto", False),
        ("nop", False),
        ("para que?", None),
        ("no se", None),
        ("tal vez", None),
    ],
)
def test_yes_no(text, expected):
    assert P.yes_no(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "me cobran alcantarillado y no tengo",
        "no tenemos red de alcantarillado y viene en la factura",
        "tengo pozo septico y me cobran alcantarillado",
        "por que me cobran alcantarillado si no estoy conectado",
    ],
)
def test_sewer_not_provided(text):
    assert P.is_alcantarillado_no_prestado(text)


@pytest.mark.parametrize(
    "text", ["el alcantarillado me lo cobraron muy caro", "subio mucho el cobro de alcantarillado"]
)
def test_sewer_amount_complaint_is_not_sewer_not_provided(text):
    assert not P.is_alcantarillado_no_prestado(text)
    assert P.looks_like_motivo(text)


@pytest.mark.parametrize("text", ["quiero poner un reclamo", "hola necesito hacer una queja", "reclamo"])
def test_generic_request_is_not_a_motivo(text):
    assert not P.looks_like_motivo(text)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Carlos Andres Restrepo", "Carlos Andres Restrepo"),
        ("hola, ana maria lopez", "Ana Maria Lopez"),
        ("Luz Dary de la Ossa", "Luz Dary de la Ossa"),
        ("Esperanza Gómez", "Esperanza Gómez"),
        ("cuanto se demora esto?", None),
        ("ya les dije", None),
        ("el mismo de antes", None),
    ],
)
def test_name_as_answer(text, expected):
    found = P.name_as_answer(text)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("calle 10 # 43-25 apto 301", "calle 10 # 43-25 apto 301"),
        ("cra 45 n 12 - 30", "cra 45 n 12 - 30"),
        ("vivo en la cl 50 sur 40 20 envigado", "cl 50 sur 40 20"),
    ],
)
def test_addresses(text, expected):
    assert P.find_address(text).value == expected


def test_everything_in_one_message():
    p = P.parse_message(
        "soy juan perez cc 1.036.654.321, contrato 12345678, mi correo juan@x.co, cel 3001234567, "
        "me llego carisima la factura"
    )
    assert p.nombre.value == "Juan Perez"
    assert p.documento.value == "1.036.654.321"
    assert p.contrato.value == "12345678"
    assert p.email.value == "juan@x.co"
    assert p.celular.value == "3001234567"
    assert p.motivo


@pytest.mark.parametrize(
    "text,expected",
    [
        ("asdkjhasd", True),
        ("jajaja", True),
        ("xd", True),
        ("kkkk", True),
        ("zzz", True),
        ("hola", False),
        ("Juan", False),
        ("si", False),
        ("Tatiana", False),
        ("1234", False),
        ("Brayan", False),
    ],
)
def test_gibberish(text, expected):
    assert P.looks_like_gibberish(text) is expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("llego en 1.200.000 y normalmente es de 500 mil", 1200000),
        ("1 millon 400", 1400000),
        ("como 2 millones y pico", 2000000),
    ],
)
def test_first_amount_wins(text, expected):
    assert P.find_amount(text).value == expected


@pytest.mark.parametrize("text", ["sedula 43123456", "zedula 43123456", "cedual 43123456"])
def test_misspelled_cedula(text):
    assert P.find_document(text).value == "43123456"


def test_surnames_that_are_words():
    assert P.name_as_answer("jorge eliecer bueno").value == "Jorge Eliecer Bueno"
    assert P.name_as_answer("bueno") is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("asdfgh", None),
        ("hola, soy extranjero y tengo un problema", None),
        ("buenas soy maria eugenia rua sedula 43123456", "Maria Eugenia Rua"),
    ],
)
def test_what_is_not_a_name(text, expected):
    found = P.find_name(text) or P.name_as_answer(text)
    assert (found.value if found else None) == expected


def test_every_parser_returns_a_mention_with_the_span_of_what_it_read():
    text = "soy Ana Lopez cc 43.512.876, contrato 55501, ana@x.co, cel 300 123 4567, calle 10 # 43-25"
    for found, typed in [
        (P.find_document(text), "cc 43.512.876"),
        (P.find_contract(text), "contrato 55501"),
        (P.find_email(text), "ana@x.co"),
        (P.find_celular(text), "cel 300 123 4567"),
        (P.find_address(text), "calle 10 # 43-25"),
        (P.find_name(text), "soy Ana Lopez"),
    ]:
        assert isinstance(found, P.Mention)
        assert text[found.span[0] : found.span[1]] == typed


# --- customers as they really write (issue 11) ---


@pytest.mark.parametrize(
    "text",
    [
        "me cobran alcantarillado y aca el agua sucia cae directo a la quebrada",
        "por mi calle no ha llegado la red de alcantarillado",
        "esta casa nunca la conectaron, las aguas negras van a un pozo de absorcion y me cobran el desague",
        "el edificio nunca lo empataron al colector y me llega cobro de alcantarillado",
        "me cobran alcantarillado y la red no llega hasta la vereda",
        "las aguas servidas caen a un caño y me cobran alcantarillado",
        "el tubo del alcantarillado nunca lo pusieron en mi cuadra",
        "me cobran aguas negras y en esta calle no hay red, todo va al caño",
    ],
)
def test_sewer_not_provided_in_everyday_words(text):
    assert P.is_alcantarillado_no_prestado(text)


@pytest.mark.parametrize(
    "text",
    [
        "el baño tiene una fuga y me llego cara el agua",
        "me llego el agua sucia y cara",
        "me cobraron 200 mil de alcantarillado y acueducto y no estoy de acuerdo",
    ],
)
def test_other_complaints_are_not_sewer_not_provided(text):
    assert not P.is_alcantarillado_no_prestado(text)


@pytest.mark.parametrize(
    "text,kind,asked,expected",
    [
        ("es el 55501, ay no, me equivoqué, es el 55502", "contrato", True, "55502"),
        ("es el 55501, ay no, me equivoqué, es el 55502", "documento", False, None),
        ("cc 43512876 perdon 43512877", "documento", False, "43512877"),
        ("mi correo es a@gmal.com, ay no: a@gmail.com", "email", False, "a@gmail.com"),
        ("me llamo Ana Lopez, perdón, Ana Lopera", "nombre", False, "Ana Lopera"),
        ("perdón, la cédula es 43512877", "documento", False, None),  # nothing corrected inside the message
    ],
)
def test_self_correction(text, kind, asked, expected):
    found = P.find_self_correction(text, kind, asked)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    "text,medium",
    [
        ("mejor a la casa donde vivo", "direccion"),
        ("mándenme una carta", "direccion"),
        ("al cel me puede escribir", "celular"),
        ("un mensajito de texto", "celular"),
        ("mejor al correo", "correo"),
        ("me llego cara la factura", None),
    ],
)
def test_medium_offered(text, medium):
    assert P.medium_offered(text) == medium


@pytest.mark.parametrize(
    "text,municipio",
    [
        ("la casa es la cra 45 # 12-30 en itagüí", "Itagüí"),
        ("calle 80 sur #60-15 del municipio de la estrella", "La Estrella"),
        ("cra 31 #24-08 carmen de viboral", "Carmen de Viboral"),
        ("en Bello, calle 10 # 43-25", "Bello"),
        ("calle 10 # 43-25 apto 301", None),
    ],
)
def test_municipality_next_to_an_address(text, municipio):
    found = P.find_municipio(text, P.find_address(text))
    assert (found.value if found else None) == municipio


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "hola buenas tardes 🙋‍♀️ me llego la factura de la luz en 370 mil. gracias 🙏",
            "Me llego la factura de la luz en 370 mil",
        ),
        ("buenos dias y bendiciones 😇 el recibo llego en 300 mil 😔😔", "El recibo llego en 300 mil"),
        ("😡😡 buenas!! la factura del gas 210 mil!! 🙄 gracias", "La factura del gas 210 mil!!"),
        ("feliz tarde señorita 🌞 me facturaron 62 metros 😥 mil gracias por la atencion", "Me facturaron 62 metros"),
    ],
)
def test_greetings_thanks_and_emojis_are_not_in_the_motivo(text, expected):
    from textkit.motivo import clean_motivo

    assert clean_motivo(text) == expected
