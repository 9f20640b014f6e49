from datetime import date

import pytest

from crm_adapter.models import Contrato, Pago, Titular
from crm_adapter.rules import (
    company_name_signal,
    es_persona_juridica,
    regla_alcantarillado_no_prestado,
    regla_persona_juridica,
)

PEDRO = Titular("CC", "71234567", "Pedro Ramírez")


def contrato(uso="comercial", titular=PEDRO, pagos=()):
    return Contrato("77702", "Carrera 70 # 1-50", "Medellín", uso, titular, ["energia"], list(pagos))


@pytest.mark.parametrize(
    "titular,juridica",
    [
        (Titular("NIT", "900123456-8", "Panadería El Trigal S.A.S."), True),
        (Titular("NIT", "890904996-1", "Empresas Públicas de Medellín E.S.P."), True),
        (Titular("NIT", "800111222", "Pedro Gómez"), True),  # company NIT series
        (Titular("NIT", "71234567-7", "Taller Mecánico Don Luis"), False),  # natural person's NIT
        (Titular("NIT", "71234567-7", "Inversiones Don Luis Ltda"), True),
        (Titular("CC", "71234567", "Pedro Ramírez"), False),
        (Titular("CC", "71234567", "Cooperativa de Tenderos"), True),
        (Titular("CE", "456789", "John Smith"), False),
    ],
)
def test_legal_person(titular, juridica):
    decided, reason = es_persona_juridica(titular)
    assert decided is juridica
    assert reason


@pytest.mark.parametrize(
    "name,signal",
    [
        ("Panadería El Trigal S.A.S.", "sas"),
        ("Comercial XYZ S.A.", "sa"),
        ("Ferretería Ltda.", "ltda"),
        ("Fundación Amigos", "fundacion"),
        ("Sara Sánchez", None),
        ("Samuel Saavedra", None),
    ],
)
def test_company_name_signal(name, signal):
    assert company_name_signal(name) == signal


def test_residential_contract_is_not_concerned():
    d = regla_persona_juridica(contrato(uso="residencial", titular=Titular("NIT", "900123456-8", "X S.A.S.")))
    assert d.permitido and not d.requiere_relacion


def test_commercial_company_is_redirected_with_reason():
    d = regla_persona_juridica(contrato(titular=Titular("NIT", "900123456-8", "Panadería El Trigal S.A.S.")))
    assert not d.permitido and d.regla == "persona_juridica" and "persona jurídica" in d.razon


def test_commercial_natural_person_needs_the_relationship():
    d = regla_persona_juridica(contrato())
    assert d.permitido and d.requiere_relacion


def test_sewer_with_payments_goes_to_the_written_channel():
    d = regla_alcantarillado_no_prestado(
        contrato(pagos=[Pago(date(2026, 3, 10), 18500), Pago(date(2026, 4, 9), 19200)])
    )
    assert not d.permitido and d.regla == "alcantarillado_no_prestado"
    assert "2 pago(s)" in d.razon and "2026-04-09" in d.razon and "37.700" in d.razon


def test_sewer_without_payments_is_filed():
    assert regla_alcantarillado_no_prestado(contrato()).permitido
    assert regla_alcantarillado_no_prestado(contrato(pagos=[Pago(date(2026, 1, 1), 0)])).permitido
