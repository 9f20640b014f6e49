"""Personal data never reach the review inbox in clear."""

from bot.workbench.masking import mask_text


def test_identification_numbers_phones_emails_and_contracts_are_masked():
    text = (
        "soy juan perez cc 1.036.654.321, contrato 12345678, mi correo es juan.perez@gmail.com "
        "y el cel 3001234567, me llego carisima la factura"
    )
    masked = mask_text(text)
    for secret in ("1.036.654", "036654321", "123456", "juan.perez", "gmail", "300123", "juan perez"):
        assert secret not in masked.lower()
    assert "me llego carisima la factura" in masked  # what the customer meant stays readable
    assert "cc " in masked and "contrato " in masked and "@" in masked


def test_short_contract_and_unlabelled_mobile_are_masked_too():
    masked = mask_text("contrato 55501 y whatsapp 300 123 4567")
    assert "555" not in masked and "123 45" not in masked


def test_names_the_assistant_recognised_are_masked():
    masked = mask_text("aqui Rubiela Cano, la del segundo piso", names=["Rubiela Cano"])
    assert "Rubiela" not in masked and "Cano" not in masked
    assert "la del segundo piso" in masked


def test_introduced_names_are_masked_without_entities():
    assert "Marina" not in mask_text("hola me llamo Luz Marina Ospina")


def test_address_numbers_are_masked():
    masked = mask_text("vivo en la calle 10 # 43-25 medellin")
    assert "10 # 43" not in masked and "medellin" in masked


def test_plain_text_is_left_alone():
    assert mask_text("  venden  tamales? ") == "venden tamales?"


def test_introduced_name_is_masked_when_the_message_goes_on():
    assert mask_text("me llamo Ana Mejia y la factura pues") == "me llamo A*** M*** y la factura pues"
    assert mask_text("soy de medellin y me cobraron mucho") == "soy de medellin y me cobraron mucho"


def test_only_the_name_is_masked_not_the_words_after_it():
    assert (
        mask_text("me llamo Maria Lopez y mi cel es 3004567890", names=["Maria Lopez"])
        == "me llamo M*** L*** y mi cel es ********90"
    )


def test_person_entities_the_assistant_would_not_take_for_a_name_are_left():
    assert mask_text("zzzzzz", names=["Zzzzzz"]) == "zzzzzz"  # spaCy's NER on keyboard mashing
