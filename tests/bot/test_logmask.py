import logging

from bot.logmask import MaskingFilter, mask, masked_logger


def test_identification_numbers_are_masked_but_keep_the_last_two_digits():
    assert mask("mi cédula es 1036123456") == "mi cédula es ********56"
    assert mask("CC 43.512.876") == "CC **.***.*76"
    assert "1036123456" not in mask("documento:1036123456;")


def test_phones_and_whatsapp_addresses_are_masked():
    assert mask("whatsapp:+573001234567") == "whatsapp:+**********67"
    assert mask("llámame al 300 123 4567") == "llámame al *** *** **67"


def test_emails_are_masked():
    masked = mask("escríbeme a ana.perez@gmail.com por favor")
    assert "ana.perez" not in masked and "gmail" not in masked
    assert masked == "escríbeme a a***@***.com por favor"


def test_secrets_in_urls_and_headers_are_masked():
    url = "POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"
    assert "AAHdqTcv" not in mask(url)
    assert mask("Authorization: Bearer EAAGm0PX4ZCpsBA") == "Authorization: Bearer ***"
    assert mask("GET /me?access_token=EAAB123&fields=id") == "GET /me?access_token=***&fields=id"


def test_short_numbers_and_plain_text_are_left_alone():
    assert mask("me cobraron 45000 en 3 facturas") == "me cobraron 45000 en 3 facturas"
    assert mask(None) == "None"


def test_masked_logger_masks_arguments_and_exceptions(caplog):
    logger = masked_logger("tests.bot.logmask")
    with caplog.at_level(logging.INFO, logger="tests.bot.logmask"):
        logger.info("mensaje de %s con cédula %s", "whatsapp:+573001234567", "1036123456")
        try:
            raise ValueError("correo ana.perez@gmail.com inválido")
        except ValueError:
            logger.exception("falló %s", "ana.perez@gmail.com")
    text = caplog.text
    assert "3001234567" not in text and "1036123456" not in text and "ana.perez" not in text
    assert "whatsapp:+**********67" in text
    assert "ValueError" in text  # the traceback is kept, masked


def test_filter_is_attached_once():
    logger = masked_logger("tests.bot.logmask.once")
    masked_logger("tests.bot.logmask.once")
    assert sum(isinstance(f, MaskingFilter) for f in logger.filters) == 1


def test_names_and_addresses_are_masked():
    assert "Calle 10" not in mask("dirección del inmueble: Calle 10 # 43-25, Medellín")
    assert "43-25" not in mask("vivo en la cra 45 no 12-30")
    assert "La Palma" not in mask("Vereda La Palma Km 3")
    assert "Ana María" not in mask("slots: {'nombre': 'Ana María Restrepo', 'motivo': 'cobro'}")
    assert "Restrepo" not in mask('{"nombre": "Ana María Restrepo"}')
    assert "Restrepo" not in mask("hola, me llamo Ana María Restrepo")
    assert "Juan" not in mask(
        "(psycopg2.errors.X) boom\n[SQL: INSERT ...]\n[parameters: ('Juan Pérez', 'j@x.co')]\n"
        "(Background on this error at: https://sqlalche.me/e/14/e3q8)"
    )
    assert mask("me cobraron 45000 en 3 facturas") == "me cobraron 45000 en 3 facturas"


def test_every_record_of_the_process_can_be_masked(caplog):
    from bot.logmask import install_record_masking

    previous = logging.getLogRecordFactory()
    install_record_masking()
    try:
        with caplog.at_level(logging.INFO, logger="some.library"):
            logging.getLogger("some.library").info(
                "tracker of %s: %s",
                "whatsapp:+573001234567",
                {"nombre": "Ana María Restrepo", "direccion": "Calle 10 # 43-25"},
            )
        assert "3001234567" not in caplog.text and "Restrepo" not in caplog.text and "43-25" not in caplog.text
    finally:
        logging.setLogRecordFactory(previous)
