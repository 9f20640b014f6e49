"""Spanish texts the custom actions send (tú, warm, brief).

Responses that rules utter live in domain.yml; everything a custom action says lives here, so
the wording can depend on what is known and every text is unit-testable.
"""
from __future__ import annotations

from typing import Any

MESSAGES = {
    'ask_consentimiento': 'Para radicar tu reclamo necesito algunos datos personales. EPM los tratará solo para gestionar tu solicitud y notificarte la respuesta, según la Ley 1581 de 2012 y su política de tratamiento de datos ({politica_url}). ¿Autorizas el tratamiento de tus datos? Responde *sí* o *no*.',
    'ask_consentimiento_corto': '¿Me autorizas a tratar tus datos personales para radicar tu reclamo? Responde *sí* o *no*.',
    'consentimiento_explicar': 'Te pido la autorización porque la ley (Ley 1581 de 2012) no me deja tomar tus datos sin ella. Los usamos solo para radicar tu reclamo y avisarte la respuesta.',
    'consentimiento_negado': 'Entendido, no tomaré ningún dato. Si quieres radicar tu reclamo de otra forma, puedes ir a una oficina de atención al cliente de EPM, enviarlo por escrito o llamar a la Línea de Atención 44 44 115 (Medellín y Valle de Aburrá) o al 01 8000 415 115.',
    'ask_motivo': 'Cuéntame brevemente qué pasó con tu factura (por ejemplo: «me llegó muy alta la factura del agua» o «me cobran alcantarillado y no tengo»).',
    'ask_nombre': '¿Cuál es tu nombre completo?',
    'ask_numero_documento': '¿Cuál es tu tipo y número de documento? (por ejemplo: CC 1036123456, CE, NIT, PPT o pasaporte)',
    'pedir_contrato': '¿Cuál es el número de contrato? Aparece en la parte superior de tu factura. Si no lo tienes a mano, escríbeme la dirección del inmueble.',
    'ask_relacion_inmueble': 'Como es un inmueble comercial, cuéntame: ¿qué relación tienes con él? (propietario, arrendatario, administrador, familiar, empleado u otra)',
    'ask_notif_correo': '¿A qué correo electrónico te notificamos la respuesta? Si no tienes correo, dime «no tengo».',
    'ask_notif_celular': 'Sin problema. ¿A qué número de celular te enviamos un SMS para citarte a la notificación? Si no tienes, dime «no tengo».',
    'ask_notif_direccion': 'Listo. ¿A qué dirección física te enviamos la citación? Si es la misma del inmueble, dime «la misma».',
    'hint_nombre': 'Necesito tu nombre como aparece en tu documento, por ejemplo: Ana María López.',
    'hint_documento': '{razon}',
    'hint_contrato': 'No encuentro el contrato {contrato} en nuestro sistema. Revisa el número en la parte superior de tu factura (dice «Contrato»), o escríbeme la dirección del inmueble.',
    'hint_direccion': 'Escríbeme la dirección completa, por ejemplo: Calle 10 # 43-25, Medellín.',
    'hint_correo': '{razon} Si no tienes correo, dime «no tengo».',
    'hint_celular': '{razon} Si no tienes celular, dime «no tengo».',
    'hint_motivo': 'Cuéntame con tus palabras qué está mal en la factura, en una o dos frases.',
    'hint_relacion': 'Dime si eres propietario, arrendatario, administrador, familiar o empleado, o cuéntame tu relación con el inmueble.',
    'hint_otra_vez': 'Si se te complica, escribe «asesor» y te digo cómo hablar con una persona.',
    'datos_en_espera': '¡Gracias! Antes de tomar esos datos necesito tu autorización.',
    'que_corregir': 'Claro, ¿qué dato quieres corregir? Escríbelo así: «la cédula es 1036123456», «el contrato es 123456», «mi correo es ...».',
    'direccion_varios_contratos': 'Esa dirección tiene varios contratos. ¿Me das el número de contrato que aparece en tu factura?',
    'alcantarillado_pedir_contrato': 'Para revisar el cobro de alcantarillado necesito el número de contrato que aparece en tu factura. ¿Lo tienes a mano? Si no lo tienes, dime «no lo tengo».',
    'pqr_radicada': '✅ Listo, {nombre_corto}. Radiqué tu reclamo con el número *{numero}*.\nQuedó registrado así: {motivo_detalle}\nTe notificaremos la respuesta {medio_texto}. Guarda el número para hacerle seguimiento.',
    'pqr_error': 'Uy, tuve un problema al radicar tu reclamo y no quedó registrado 😕. Tus datos siguen aquí: escribe «sí» en un momento para intentarlo de nuevo.',
    'numero_pqr': 'Tu reclamo quedó radicado con el número *{numero}*. Te notificaremos la respuesta {medio}. 📝',
    'numero_pqrs': 'En esta conversación radicaste estos reclamos: {numeros}. El último es el *{numero}*.',
    'sin_pqr': 'Todavía no tienes un reclamo radicado en esta conversación. Si quieres poner uno, cuéntame qué pasó con tu factura.',
    'cancelado': 'Listo, cancelé tu solicitud y no radiqué nada. Si más adelante quieres poner el reclamo, escríbeme. 👋',
    'nada_que_cancelar': 'No tienes ninguna solicitud en curso. Si quieres poner un reclamo por tu factura, cuéntame qué pasó.',
    'orientacion_alcantarillado_pagos': 'Revisé tu contrato {contrato}: aparecen pagos del servicio de alcantarillado. Como tu reclamo implica devolverte dinero, la ley exige presentarlo por el canal escrito 📝: radícalo en cualquier oficina de atención al cliente de EPM o envíalo por escrito (correo certificado o la opción «PQR escrita» en epm.com.co), con tu cédula, el número de contrato y, si puedes, copia de las facturas. No abrí ningún reclamo por este chat.',
    'orientacion_alcantarillado_sin_contrato': 'Sin el número de contrato no puedo revisar los pagos del alcantarillado por aquí. Por eso este reclamo debe ir por el canal escrito 📝: preséntalo en una oficina de atención al cliente de EPM o por escrito (opción «PQR escrita» en epm.com.co), con tu cédula y la dirección del inmueble. No abrí ningún reclamo por este chat.',
    'orientacion_persona_juridica': 'El contrato {contrato} es de un inmueble comercial a nombre de una empresa ({titular}). Para proteger el debido proceso, este reclamo se debe presentar por un medio donde se pueda acreditar la relación con el inmueble 🏢: en una oficina de atención al cliente de EPM o por escrito, con el certificado de existencia y representación legal, o una autorización firmada del representante legal y copia de su documento. No abrí ningún reclamo por este chat.',
    'plazo_confirmacion': '\nTenemos 15 días hábiles para responderte: a más tardar el {fecha}.',
    'plazo_pqr': 'Por ley tenemos 15 días hábiles (de lunes a viernes, sin contar festivos) para responder tu reclamo. Para el *{numero}* la fecha límite es el {fecha}. ⏳',
    'plazo_general': 'Por ley tenemos 15 días hábiles (de lunes a viernes, sin contar festivos) para responder un reclamo, contados desde el día siguiente a la radicación. Si lo radicas hoy, te responderíamos a más tardar el {fecha}.',
    'datos_recibida': 'Registré tu solicitud de {tipo} de tus datos personales (Ley 1581 de 2012) con el radicado *{radicado}*. 🔒',
    'datos_esta_conversacion': 'En esta conversación me has dado: {resumen}.',
    'datos_respuesta_medio': 'Por seguridad no muestro por aquí los datos guardados con tu documento (terminado en {doc}): la respuesta completa te llega {destino} a más tardar el {fecha}.',
    'datos_pedir_documento': 'Para revisar todo lo que tenemos con tu documento, escríbeme tu solicitud junto con el tipo y número de documento, por ejemplo: «quiero consultar mis datos, CC 1036123456». Por seguridad la respuesta llega al medio de notificación que registraste en tu reclamo, o puedes pedirla en una oficina de atención de EPM con tu documento.',
    'datos_pqr_publica': 'Ten en cuenta que tus reclamos (PQR) son un registro público y se conservan; las conversaciones y tus datos de contacto sí se pueden actualizar o suprimir.',
}


def render(key: str, **values: Any) -> str:
    """The text of ``key`` with its ``{placeholders}`` filled."""
    return MESSAGES[key].format(**values)


def fecha_limite_texto(fecha) -> str:
    from crm_adapter.deadline import fecha_en_texto

    return fecha_en_texto(fecha, with_weekday=True)


def plazo_texto(pqr) -> str:
    """The deadline line appended to the filing confirmation (empty when unknown)."""
    fecha = getattr(pqr, "fecha_limite_respuesta", None)
    return render("plazo_confirmacion", fecha=fecha_limite_texto(fecha)) if fecha else ""
