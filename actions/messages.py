"""The catalogue of what customers read (Spanish, tú, warm, brief): the one file a reviewer of the
wording opens.

Everything the custom actions say (questions, hints, the read-back, the notification medium,
confirmations, redirections, the deadline, personal-data requests) and everything the runtime
sends around the dialogue (channels' replies to audio, files, slash commands, long messages and
floods; the web chat's session and errors; a person of the console joining or leaving; the
next-day closing) lives here. The few fixed responses that Rasa's rules utter stay in
domain.yml (`responses:`), where Rasa needs them.
"""

from __future__ import annotations

from typing import Any

MESSAGES = {
    "ask_consentimiento": (
        "Para radicar tu reclamo necesito algunos datos personales. EPM los tratará solo para gestionar "
        "tu solicitud y notificarte la respuesta, según la Ley 1581 de 2012 y su política de "
        "tratamiento de datos ({politica_url}). ¿Autorizas el tratamiento de tus datos? Responde *sí* o "
        "*no*."
    ),
    "ask_consentimiento_corto": (
        "¿Me autorizas a tratar tus datos personales para radicar tu reclamo? Responde *sí* o *no*."
    ),
    "consentimiento_explicar": (
        "Te pido la autorización porque la ley (Ley 1581 de 2012) no me deja tomar tus datos sin ella. "
        "Los usamos solo para radicar tu reclamo y avisarte la respuesta."
    ),
    "consentimiento_negado": (
        "Entendido, no tomaré ningún dato. Si quieres radicar tu reclamo de otra forma, puedes ir a una "
        "oficina de atención al cliente de EPM, enviarlo por escrito o llamar a la Línea de Atención 44 "
        "44 115 (Medellín y Valle de Aburrá) o al 01 8000 415 115."
    ),
    "ask_motivo": (
        "Cuéntame brevemente qué pasó con tu factura (por ejemplo: «me llegó muy alta la factura del "
        "agua» o «me cobran alcantarillado y no tengo»)."
    ),
    "ask_nombre": "¿Cuál es tu nombre completo?",
    "gracias_nombre": "Gracias, {nombre}. ",
    "ask_numero_documento": (
        "¿Cuál es tu tipo y número de documento? (por ejemplo: CC 1036123456, CE, NIT, PPT o pasaporte)"
    ),
    "pedir_contrato": (
        "¿Cuál es el número de contrato? Aparece en la parte superior de tu factura. Si no lo tienes a "
        "mano, escríbeme la dirección del inmueble."
    ),
    "ask_relacion_inmueble": (
        "Como es un inmueble comercial, cuéntame: ¿qué relación tienes con él? (propietario, "
        "arrendatario, administrador, familiar, empleado u otra)"
    ),
    "ask_notif_correo": "¿A qué correo electrónico te notificamos la respuesta? Si no tienes correo, dime «no tengo».",
    "ask_notif_celular": (
        "Sin problema. ¿A qué número de celular te enviamos un SMS para citarte a la notificación? Si "
        "no tienes, dime «no tengo»."
    ),
    "ask_notif_direccion": (
        "Listo. ¿A qué dirección física te enviamos la citación? Si es la misma del inmueble, dime «la misma»."
    ),
    "hint_nombre": "Necesito tu nombre como aparece en tu documento, por ejemplo: Ana María López.",
    "hint_documento": "{razon}",
    "hint_contrato": (
        "No encuentro el contrato {contrato} en nuestro sistema. Revisa el número en la parte superior "
        "de tu factura (dice «Contrato»), o escríbeme la dirección del inmueble."
    ),
    "hint_direccion": "Escríbeme la dirección completa, por ejemplo: Calle 10 # 43-25, Medellín.",
    "hint_correo": "{razon} Si no tienes correo, dime «no tengo».",
    "hint_celular": "{razon} Si no tienes celular, dime «no tengo».",
    "hint_motivo": "Cuéntame con tus palabras qué está mal en la factura, en una o dos frases.",
    "hint_relacion": (
        "Dime si eres propietario, arrendatario, administrador, familiar o empleado, o cuéntame tu "
        "relación con el inmueble."
    ),
    "hint_otra_vez": "Si se te complica, escribe «asesor» y te digo cómo hablar con una persona.",
    "datos_en_espera": "¡Gracias! Antes de tomar esos datos necesito tu autorización.",
    "que_corregir": (
        "Claro, ¿qué dato quieres corregir? Escríbelo así: «la cédula es 1036123456», «el contrato es "
        "123456», «mi correo es ...»."
    ),
    "direccion_varios_contratos": (
        "Esa dirección tiene varios contratos. ¿Me das el número de contrato que aparece en tu factura?"
    ),
    "alcantarillado_pedir_contrato": (
        "Para revisar el cobro de alcantarillado necesito el número de contrato que aparece en tu "
        "factura. ¿Lo tienes a mano? Si no lo tienes, dime «no lo tengo»."
    ),
    "pqr_radicada": (
        "✅ Listo, {nombre_corto}. Radiqué tu reclamo con el número *{numero}*.\nQuedó registrado así: "
        "{motivo_detalle}\nTe notificaremos la respuesta {medio_texto}. Guarda el número para hacerle "
        "seguimiento."
    ),
    "pqr_error": (
        "Uy, tuve un problema al radicar tu reclamo y no quedó registrado 😕. Tus datos siguen aquí: "
        "escribe «sí» en un momento para intentarlo de nuevo."
    ),
    "numero_pqr": "Tu reclamo quedó radicado con el número *{numero}*. Te notificaremos la respuesta {medio}. 📝",
    "numero_pqrs": "En esta conversación radicaste estos reclamos: {numeros}. El último es el *{numero}*.",
    "sin_pqr": (
        "Todavía no tienes un reclamo radicado en esta conversación. Si quieres poner uno, cuéntame qué "
        "pasó con tu factura."
    ),
    "cancelado": (
        "Listo, cancelé tu solicitud y no radiqué nada. Si más adelante quieres poner el reclamo, escríbeme. 👋"
    ),
    "nada_que_cancelar": (
        "No tienes ninguna solicitud en curso. Si quieres poner un reclamo por tu factura, cuéntame qué pasó."
    ),
    "orientacion_alcantarillado_pagos": (
        "Revisé tu contrato {contrato}: aparecen pagos del servicio de alcantarillado. Como tu reclamo "
        "implica devolverte dinero, la ley exige presentarlo por el canal escrito 📝: radícalo en "
        "cualquier oficina de atención al cliente de EPM o envíalo por escrito (correo certificado o la "
        "opción «PQR escrita» en epm.com.co), con tu cédula, el número de contrato y, si puedes, copia "
        "de las facturas. No abrí ningún reclamo por este chat."
    ),
    "orientacion_alcantarillado_sin_contrato": (
        "Sin el número de contrato no puedo revisar los pagos del alcantarillado por aquí. Por eso este "
        "reclamo debe ir por el canal escrito 📝: preséntalo en una oficina de atención al cliente de "
        "EPM o por escrito (opción «PQR escrita» en epm.com.co), con tu cédula y la dirección del "
        "inmueble. No abrí ningún reclamo por este chat."
    ),
    "orientacion_persona_juridica": (
        "El contrato {contrato} es de un inmueble comercial a nombre de una empresa ({titular}). Para "
        "proteger el debido proceso, este reclamo se debe presentar por un medio donde se pueda "
        "acreditar la relación con el inmueble 🏢: en una oficina de atención al cliente de EPM o por "
        "escrito, con el certificado de existencia y representación legal, o una autorización firmada "
        "del representante legal y copia de su documento. No abrí ningún reclamo por este chat."
    ),
    # Why an answer was not taken (``razon`` of the hints): the validators' problems and the intake's.
    "razon_tipo_documento": "Tipo de documento no reconocido: usa CC, CE, NIT, PPT o pasaporte.",
    "razon_documento_digitos": "El número de documento debe tener solo dígitos.",
    "razon_documento_cero": "El número de documento no empieza por 0.",
    "razon_cedula_longitud": "La cédula tiene entre 4 y 10 dígitos, sin puntos ni espacios.",
    "razon_nit_formato": "El NIT se escribe con números, por ejemplo 900.123.456-7.",
    "razon_nit_longitud": "El NIT tiene entre 5 y 15 dígitos antes del dígito de verificación.",
    "razon_nit_digito_verificacion": (
        "El dígito de verificación no corresponde a ese NIT. Revísalo en el RUT (ej.: 900.123.456-7)."
    ),
    "razon_correo_incompleto": "Escribe el correo completo, por ejemplo nombre@gmail.com.",
    "razon_correo_invalido": "Ese correo no parece válido; revísalo, por ejemplo nombre@gmail.com.",
    "razon_celular": "El celular tiene 10 dígitos y empieza por 3, por ejemplo 300 123 4567.",
    "razon_ce_formato": "La cédula de extranjería tiene entre 3 y 12 dígitos o letras.",
    "razon_pasaporte_formato": "El pasaporte tiene entre 5 y 15 letras o números.",
    "razon_tipo_y_numero": "Escríbeme el tipo y el número de tu documento, por ejemplo: CC 1036123456.",
    "razon_celular_fijo": "Para el SMS necesito un celular (10 dígitos que empiezan por 3), no un fijo.",
    "razon_correo_no_reconocido": "No reconocí un correo ahí.",
    # The read-back before filing: one line per datum known.
    "readback_titulo": "Revisemos tus datos antes de radicar 📋:",
    "readback_nombre": "• Nombre: {nombre}",
    "readback_documento": "• Documento: {tipo} {numero}",
    "readback_contrato": "• Contrato: {contrato} ({direccion})",
    "readback_direccion": "• Dirección del inmueble: {direccion}",
    "readback_relacion": "• Tu relación con el inmueble: {relacion}",
    "readback_motivo": "• Motivo: {motivo}",
    "readback_valor": " (valor mencionado: {valor})",
    "readback_medio": "• Te notificaremos la respuesta {medio}",
    "readback_pregunta": "¿Está todo bien? Responde *sí* para radicar, o dime qué corregir.",
    # How the customer is told where the answer will reach them (after "Te notificaremos la respuesta").
    "medio_correo": "al correo {valor}",
    "medio_sms": "con un SMS al celular {valor} para citarte a la notificación",
    "medio_direccion": "con una citación a la dirección {valor}",
    # The channels (bot/channels): what every channel answers around the dialogue.
    "audio_recibido": "¡Gracias por tu audio! Por ahora no puedo escucharlo 🙏 ¿Me lo escribes, por favor?",
    "archivo_recibido": (
        "¡Gracias! Guardé tu archivo 📎 para adjuntarlo a tu solicitud. "
        "Cuéntame por escrito lo que necesitas, por favor."
    ),
    "error_procesando": (
        "Uy, tuve un problema para procesar tu mensaje 😕 ¿Me lo escribes de nuevo en un momento, por favor?"
    ),
    "solo_palabras": "No entendí tu mensaje 🙏 ¿Me lo escribes con palabras, por favor?",
    "demasiados_mensajes": (
        "Estás enviando muchos mensajes muy seguido 🙏 Espera un momento y vuelve a escribirme, por favor."
    ),
    "mensaje_muy_largo": (
        "Tu mensaje es muy largo (más de {limite} caracteres) 🙏 "
        "¿Me lo resumes o me lo envías en partes más cortas, por favor?"
    ),
    "sesion_terminada": "Tu sesión del chat terminó. Recarga la página para empezar una nueva conversación.",
    "no_disponible": "No pudimos procesar tu mensaje en este momento; inténtalo de nuevo.",
    # People of the console stepping in and out (bot/handoff).
    "persona_en_espera": (
        "Listo, le pedí a una persona del equipo que te escriba por aquí 🙋. Suele tardar unos {espera}. "
        "Mientras tanto, si quieres, sigo yo con tu reclamo: solo escríbeme. Si prefieres llamar: Línea de "
        "Atención 44 44 115 (Medellín y Valle de Aburrá) o 01 8000 415 115."
    ),
    "persona_fuera_de_horario": (
        "Ahora no hay personas del equipo en línea 🌙.{vuelven} Dejé tu solicitud en la fila para que te "
        "escriban apenas puedan. Si prefieres no esperar, sigo yo con tu reclamo: solo escríbeme. También "
        "puedes llamar a la Línea de Atención 44 44 115 (Medellín y Valle de Aburrá) o al 01 8000 415 115."
    ),
    "persona_vuelven": " Vuelven {cuando}.",
    "persona_aun_nadie": (
        "Perdona la espera 🙏: todavía nadie del equipo ha podido tomar tu conversación. Sigues en la "
        "fila y no se pierde nada. Si quieres, sigo yo con tu reclamo mientras tanto: solo escríbeme."
    ),
    "persona_se_une": "Hola, soy {nombre}, del equipo de EPM 👋. Desde ahora te atiendo yo por aquí.",
    "persona_del_equipo": "una persona del equipo",
    "vuelve_asistente": (
        "Te dejo de nuevo con el asistente virtual 🤖 para seguir con tu reclamo donde íbamos. "
        "Escríbele cuando quieras."
    ),
    "vuelve_asistente_sin_reclamo": (
        "Te dejo de nuevo con el asistente virtual 🤖. Si necesitas algo más, escríbele cuando quieras."
    ),
    "conversacion_cerrada": (
        "Gracias por escribirnos 😊. Cerramos esta conversación; si necesitas algo más, aquí estamos."
    ),
    # The next-day closing (bot/followups): private and public (no personal data) versions.
    "cierre_privado": (
        "Hola 👋 Como no recibimos {faltante}, cerramos esta solicitud sin tramitarla. "
        "Cuando quieras, escríbenos de nuevo y con gusto te ayudamos desde el principio."
    ),
    "cierre_para_radicar": ", que necesitamos para radicar tu reclamo",
    "cierre_publico": (
        "Hola 👋 Como no recibimos la información necesaria para radicar tu solicitud, la "
        "cerramos sin tramitarla. Cuando quieras, escríbenos por mensaje privado y con gusto "
        "te ayudamos."
    ),
    # The answer deadline (Ley 142 de 1994 art. 158) and personal-data requests (Ley 1581 de 2012).
    "plazo_confirmacion": "\nTenemos 15 días hábiles para responderte: a más tardar el {fecha}.",
    "plazo_pqr": (
        "Por ley tenemos 15 días hábiles (de lunes a viernes, sin contar festivos) para responder tu reclamo. "
        "Para el *{numero}* la fecha límite es el {fecha}. ⏳"
    ),
    "plazo_general": (
        "Por ley tenemos 15 días hábiles (de lunes a viernes, sin contar festivos) para responder un reclamo, "
        "contados desde el día siguiente a la radicación. Si lo radicas hoy, te responderíamos a más tardar el {fecha}."
    ),
    "datos_recibida": (
        "Registré tu solicitud de {tipo} de tus datos personales (Ley 1581 de 2012) con el radicado *{radicado}*. 🔒"
    ),
    "datos_esta_conversacion": "En esta conversación me has dado: {resumen}.",
    "datos_respuesta_medio": (
        "Por seguridad no muestro por aquí los datos guardados con tu documento (terminado en {doc}): "
        "la respuesta completa te llega {destino} a más tardar el {fecha}."
    ),
    "datos_pedir_documento": (
        "Para revisar todo lo que tenemos con tu documento, escríbeme tu solicitud junto con el tipo y número de "
        "documento, por ejemplo: «quiero consultar mis datos, CC 1036123456». Por seguridad la respuesta llega al "
        "medio de notificación que registraste en tu reclamo, o puedes pedirla en una oficina de atención de EPM "
        "con tu documento."
    ),
    "datos_pqr_publica": (
        "Ten en cuenta que tus reclamos (PQR) son un registro público y se conservan; las conversaciones y tus "
        "datos de contacto sí se pueden actualizar o suprimir."
    ),
}


def razon(problem: str) -> str:
    """The Spanish words for a problem found in an answer (a validator's ``Check.problem``)."""
    return MESSAGES[f"razon_{problem}"]


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
