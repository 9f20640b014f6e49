// Consola PQR: plain modern JavaScript, no build step. Talks only to the JSON API under /api/.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const state = { csrf: null, user: null, selected: null, list: [], waiting: new Set(), firstLoad: true,
                detail: null, quickReplies: [], agents: [], stream: null };
const STATE_NAMES = { waiting: "Esperando persona", agent: "Con agente", bot: "Con el asistente", closed: "Cerrada" };
const REASONS = { cliente_pidio_asesor: "pidió hablar con una persona", no_entendido_dos_veces: "el asistente no le entendió dos veces",
                  insiste_tras_orientacion: "insiste tras una orientación" };
const FIELD_LABELS = { motivo: "Motivo", tipo_reclamo: "Tipo", monto: "Valor", nombre: "Nombre", tipo_documento: "Tipo doc.",
  numero_documento: "Documento", contrato: "Contrato", direccion: "Dirección", relacion_inmueble: "Relación con el inmueble",
  notif_correo: "Correo", notif_celular: "Celular", notif_direccion: "Dirección de notificación", consentimiento: "Consentimiento",
  orientacion: "Orientación", orientacion_razon: "Razón de la orientación" };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c.nodeType ? c : String(c));
  return node;
}

async function api(path, options = {}) {
  const opts = { method: options.method || "GET", headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (options.body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(options.body); }
  if (opts.method !== "GET" && state.csrf) opts.headers["X-CSRF-Token"] = state.csrf;
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && path !== "/api/session") { showLogin(); }
  return { ok: res.ok, status: res.status, data: data || {} };
}

function toast(text) {
  const t = $("#toast"); t.textContent = text; t.classList.remove("hidden");
  clearTimeout(toast.timer); toast.timer = setTimeout(() => t.classList.add("hidden"), 4500);
}

function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return "hace un momento";
  if (s < 3600) return `hace ${Math.floor(s / 60)} min`;
  if (s < 86400) return `hace ${Math.floor(s / 3600)} h`;
  return new Date(iso).toLocaleDateString("es-CO", { day: "numeric", month: "short" });
}
function waited(iso) {
  if (!iso) return "";
  const m = Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 60000));
  return m < 60 ? `espera ${m} min` : `espera ${Math.floor(m / 60)} h ${m % 60} min`;
}
function clock(iso) { return iso ? new Date(iso).toLocaleString("es-CO", { hour: "2-digit", minute: "2-digit", day: "numeric", month: "short" }) : ""; }

// ------------------------------------------------------------------ session
function showLogin() {
  if (state.stream) { state.stream.close(); state.stream = null; }
  $("#app").classList.add("hidden"); $("#login").classList.remove("hidden"); $("#login-email").focus();
}
async function startApp(session) {
  state.csrf = session.csrf_token; state.user = session.user;
  $("#login").classList.add("hidden"); $("#app").classList.remove("hidden");
  $("#me-name").textContent = session.user.name; $("#me-role").textContent = session.user.role;
  document.querySelectorAll(".admin-only").forEach(n => n.classList.toggle("hidden", session.user.role !== "admin"));
  if (session.user.role === "entrenador") { window.location.href = "/entrenamiento/"; return; }
  const [qr, ag] = await Promise.all([api("/api/quick-replies"), api("/api/agents")]);
  state.quickReplies = qr.data.quick_replies || []; state.agents = ag.data.agents || [];
  await loadList(); connectStream();
}
$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("#login-error").textContent = "";
  const r = await api("/api/session", { method: "POST", body: { email: $("#login-email").value, password: $("#login-password").value } });
  if (!r.ok) { $("#login-error").textContent = r.data.error || "No se pudo iniciar sesión."; return; }
  $("#login-password").value = "";
  startApp(r.data);
});
$("#logout").addEventListener("click", async () => { await api("/api/session", { method: "DELETE" }); showLogin(); });

// ------------------------------------------------------------------ live updates
function connectStream() {
  if (state.stream) state.stream.close();
  const es = new EventSource("/api/stream");
  es.addEventListener("change", () => refresh());
  es.onerror = () => { /* the browser reconnects by itself */ };
  state.stream = es;
}
let refreshing = null;
function refresh() {
  if (refreshing) return;
  refreshing = (async () => {
    await loadList();
    if (state.selected) await loadConversation(state.selected, true);
    if (!$("#view-dashboard").classList.contains("hidden")) await loadDashboard();
  })().finally(() => { refreshing = null; });
}

function beep() {
  if (!$("#sound-on").checked) return;
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const osc = ctx.createOscillator(); const gain = ctx.createGain();
    osc.frequency.value = 880; gain.gain.value = 0.08; osc.connect(gain); gain.connect(ctx.destination);
    osc.start(); osc.stop(ctx.currentTime + 0.25);
  } catch (e) { /* no audio */ }
}

// ------------------------------------------------------------------ inbox
async function loadList() {
  const params = new URLSearchParams();
  if ($("#filter-state").value) params.set("state", $("#filter-state").value);
  if ($("#filter-channel").value) params.set("channel", $("#filter-channel").value);
  if ($("#search").value.trim()) params.set("q", $("#search").value.trim());
  const r = await api("/api/conversations" + (params.toString() ? "?" + params : ""));
  if (!r.ok) return;
  state.list = r.data.conversations;
  const all = params.toString() ? (await api("/api/conversations?state=waiting")).data.conversations || [] : state.list.filter(c => c.state === "waiting");
  const waitingNow = new Set(all.filter(c => c.state === "waiting").map(c => c.id));
  const fresh = [...waitingNow].filter(id => !state.waiting.has(id));
  if (fresh.length && !state.firstLoad) { beep(); toast("Nueva conversación esperando a una persona"); }
  state.waiting = waitingNow; state.firstLoad = false;
  const n = waitingNow.size;
  $("#waiting-badge").textContent = n; $("#waiting-badge").classList.toggle("hidden", n === 0);
  document.title = (n ? `(${n}) ` : "") + "Consola PQR · EPM";
  renderList();
}
function renderList() {
  const ul = $("#conversation-list"); ul.replaceChildren();
  if (!state.list.length) { ul.append(el("li", { class: "muted" }, "No hay conversaciones con estos filtros.")); return; }
  for (const c of state.list) {
    const li = el("li", { "data-id": c.id, "data-state": c.state, class: c.id === state.selected ? "selected" : "",
                          onclick: () => openConversation(c.id) },
      el("span", { class: "who" }, c.customer || c.id),
      el("span", { class: "when" }, ago(c.last_message_at)),
      el("span", { class: "preview" }, c.preview || "—"),
      el("span", { class: "meta" }, el("span", { class: `state state-${c.state}` }, STATE_NAMES[c.state] || c.state),
         el("span", { class: "chan" }, c.channel),
         c.state === "waiting" ? el("span", {}, waited(c.waiting_since)) : null,
         c.assigned_to ? el("span", {}, "· " + agentName(c.assigned_to)) : null));
    ul.append(li);
  }
}
function agentName(email) { const a = state.agents.find(x => x.email === email); return a ? a.name : email; }
let searchTimer = null;
$("#search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(loadList, 300); });
$("#filter-state").addEventListener("change", loadList);
$("#filter-channel").addEventListener("change", loadList);

// ------------------------------------------------------------------ one conversation
async function openConversation(id) {
  state.selected = id; state.detail = null; renderList();
  $("#view-inbox").classList.add("open");
  await loadConversation(id, false);
}
async function loadConversation(id, keepInput) {
  const r = await api("/api/conversations/" + encodeURIComponent(id));
  if (!r.ok) { toast(r.data.error || "No se pudo abrir la conversación."); return; }
  const draft = keepInput ? $("#reply-text")?.value : "";
  const form = keepInput ? formValues() : null;
  state.detail = r.data; renderConversation();
  if (keepInput && $("#reply-text")) $("#reply-text").value = draft || "";
  if (keepInput && form) fillForm(form);
}
function mine(d) { return d.state === "agent" && d.assigned_to === state.user.email; }

function renderConversation() {
  const d = state.detail; const pane = $("#conversation");
  pane.classList.remove("empty"); pane.replaceChildren();
  const holder = d.assigned_to ? agentName(d.assigned_to) : null;
  const actions = el("div", { class: "actions" });
  if (!mine(d) && d.state !== "agent") actions.append(el("button", { id: "takeover", class: "primary", onclick: takeover }, "Tomar conversación"));
  if (!mine(d) && d.state === "agent" && state.user.role === "admin") actions.append(el("button", { onclick: takeover }, "Tomar (admin)"));
  if (mine(d) || (d.state === "agent" && state.user.role === "admin")) {
    actions.append(el("button", { id: "handback", onclick: () => handback(true) }, "Devolver al asistente"),
                   el("button", { id: "close", class: "warn", onclick: () => handback(false) }, "Cerrar"));
    const sel = el("select", { id: "transfer-to", "aria-label": "Transferir a" }, el("option", { value: "" }, "Transferir a…"),
      state.agents.filter(a => a.email !== state.user.email).map(a => el("option", { value: a.email }, a.name)));
    sel.addEventListener("change", () => sel.value && transfer(sel.value));
    actions.append(sel);
  }
  if (d.state === "waiting" && !mine(d)) actions.append(el("button", { class: "warn", onclick: () => handback(false) }, "Cerrar"));
  pane.append(el("div", { class: "conv-head" },
    el("button", { class: "link back", onclick: () => $("#view-inbox").classList.remove("open") }, "← Bandeja"),
    el("h2", {}, d.customer || d.id),
    el("span", { class: "chan" }, d.channel),
    el("span", { id: "conv-state", class: `state state-${d.state}` }, STATE_NAMES[d.state] + (holder ? ` · ${holder}` : "")),
    d.handoff && d.handoff.reason && d.state === "waiting" ? el("span", { class: "muted" }, "Motivo: " + (REASONS[d.handoff.reason] || d.handoff.reason)) : null,
    actions));
  pane.append(el("div", { id: "window", class: "window" + (d.window.open ? "" : " closed") }, d.window.text));
  const tr = el("div", { id: "transcript", class: "transcript", "aria-live": "polite" });
  for (const m of d.messages) tr.append(renderMessage(m));
  pane.append(tr);
  pane.append(renderComposer(d));
  pane.append(renderSide(d));
  tr.scrollTop = tr.scrollHeight;
}
function renderMessage(m) {
  const who = { customer: "Cliente", bot: "Asistente", agent: m.author_name || "Agente", note: "Nota privada · " + (m.author_name || m.author) }[m.from];
  const node = el("div", { class: "msg " + m.from, "data-from": m.from }, m.text);
  for (const media of m.media || []) {
    const url = media.url || media.href;
    if (!url) continue;
    if ((media.content_type || "").startsWith("image/")) node.append(el("a", { href: url, target: "_blank", rel: "noopener" }, el("img", { src: url, alt: "Imagen del cliente" })));
    else node.append(el("a", { href: url, target: "_blank", rel: "noopener" }, "Adjunto: " + (media.content_type || "archivo")));
  }
  const delivery = m.from === "agent" && m.delivery && m.delivery !== "sent" && m.delivery !== "web" ? ` · ${m.delivery}` : "";
  node.append(el("small", {}, `${who} · ${clock(m.at)}${delivery}`));
  return node;
}
function renderComposer(d) {
  const enabled = mine(d);
  const box = el("div", { class: "composer" });
  const quick = el("select", { id: "quick-pick", "aria-label": "Respuestas rápidas", disabled: !enabled },
    el("option", { value: "" }, "Respuestas rápidas…"), state.quickReplies.map(q => el("option", { value: q.id }, q.title)));
  quick.addEventListener("change", () => { const q = state.quickReplies.find(x => String(x.id) === quick.value); if (q) $("#reply-text").value = q.text; quick.value = ""; });
  const text = el("textarea", { id: "reply-text", placeholder: enabled ? "Escribe al cliente…" : "Toma la conversación para escribirle al cliente (las notas privadas sí se pueden dejar).", rows: 3 });
  const send = el("button", { id: "send", class: "primary", disabled: !enabled, onclick: () => sendReply(false) }, "Enviar");
  const note = el("button", { id: "note", onclick: addNote }, "Nota privada");
  const row = el("div", { class: "row" }, quick, note, send);
  if (enabled && !d.window.open && d.window.template) row.append(el("button", { id: "send-template", class: "warn", onclick: () => sendReply(true) }, "Enviar plantilla aprobada"));
  box.append(text, row);
  return box;
}
function renderSide(d) {
  const side = el("aside", { class: "side-pane" });
  side.append(el("h3", {}, "Datos del reclamo"));
  side.append(renderForm(d));
  side.append(el("h3", {}, "PQR radicadas"));
  side.append(d.pqrs.length ? el("ul", { class: "plain-list", id: "pqr-list" }, d.pqrs.map(p => el("li", {},
      el("b", {}, p.numero), ` · ${clock(p.creado_en)} · `, p.radicado_por === "asistente" ? "por el asistente" : "por " + agentName(p.radicado_por),
      el("div", { class: "muted" }, p.motivo_detalle))))
    : el("p", { class: "muted", id: "pqr-list" }, "Ninguna todavía."));
  side.append(el("h3", {}, "Consentimiento"));
  side.append(d.consentimientos.length ? el("ul", { class: "plain-list" }, d.consentimientos.map(c => el("li", {},
      c.aceptado ? "Autorizó" : "No autorizó", ` · ${clock(c.creado_en)} · política ${c.policy_version}`, el("div", { class: "muted" }, c.respuesta))))
    : el("p", { class: "muted" }, "Aún no ha respondido la autorización de datos."));
  side.append(el("h3", {}, "Reglas de radicación"));
  side.append(el("div", { id: "decisions" }, d.orientaciones.length ? d.orientaciones.map(o => el("div", { class: "decision no" }, `Orientado (${o.regla}): ${o.razon}`))
    : el("p", { class: "muted" }, "Sin orientaciones.")));
  if (d.media.length) {
    side.append(el("h3", {}, "Evidencias"));
    side.append(el("ul", { class: "plain-list" }, d.media.map(m => el("li", {}, el("a", { href: m.url, target: "_blank", rel: "noopener" }, m.nombre || m.url)))));
  }
  return side;
}
const FORM_FIELDS = [
  ["nombre", "Nombre completo"], ["tipo_documento", "Tipo de documento", ["CC", "CE", "NIT", "PPT", "PA"]],
  ["numero_documento", "Número de documento"], ["contrato", "Contrato"], ["direccion", "Dirección del inmueble"],
  ["relacion_inmueble", "Relación con el inmueble (no residencial)"],
  ["tipo_reclamo", "Tipo de reclamo", [["factura", "Valor facturado"], ["alcantarillado_no_prestado", "Alcantarillado no prestado"]]],
  ["motivo", "Motivo", "textarea"], ["monto", "Valor mencionado"],
  ["medio", "Medio de notificación", [["correo", "Correo"], ["sms", "SMS al celular"], ["direccion", "Dirección física"]]],
  ["notif_valor", "Correo, celular o dirección para notificar"],
];
function renderForm(d) {
  const form = el("form", { id: "pqr-form", onsubmit: (ev) => { ev.preventDefault(); filePqr(); } });
  for (const [name, label, kind] of FORM_FIELDS) {
    let input;
    if (Array.isArray(kind)) input = el("select", { name }, kind.map(o => Array.isArray(o) ? el("option", { value: o[0] }, o[1]) : el("option", { value: o }, o)));
    else if (kind === "textarea") input = el("textarea", { name, rows: 3 });
    else input = el("input", { name });
    form.append(el("label", {}, label, input), el("div", { class: "field-error", "data-error-for": name }));
  }
  const consent = d.consentimientos.some(c => c.aceptado);
  if (!consent) form.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "consentimiento_confirmado" }), "El cliente autorizó el tratamiento de sus datos"),
                            el("div", { class: "field-error", "data-error-for": "consentimiento" }));
  form.append(el("div", { class: "row" }, el("button", { type: "button", onclick: checkPqr }, "Validar"),
                 el("button", { id: "save-intake", type: "button", onclick: saveIntake, disabled: !(mine(d) || state.user.role === "admin") }, "Guardar datos"),
                 el("button", { id: "file-pqr", class: "primary", type: "submit", disabled: !(mine(d) || state.user.role === "admin") }, "Radicar PQR")));
  form.append(el("div", { id: "form-result" }));
  const i = d.intake || {};
  const medio = i.notif_correo && i.notif_correo !== "no" ? ["correo", i.notif_correo] : i.notif_celular && i.notif_celular !== "no" ? ["sms", i.notif_celular]
    : i.notif_direccion && i.notif_direccion !== "no" ? ["direccion", i.notif_direccion] : ["correo", ""];
  setTimeout(() => fillForm({ nombre: i.nombre, tipo_documento: i.tipo_documento || "CC", numero_documento: i.numero_documento,
    contrato: i.contrato, direccion: i.direccion, relacion_inmueble: i.relacion_inmueble, tipo_reclamo: i.tipo_reclamo === "alcantarillado_no_prestado" ? i.tipo_reclamo : "factura",
    motivo: i.motivo, monto: i.monto ? Math.round(i.monto) : "", medio: medio[0], notif_valor: medio[1] }), 0);
  return form;
}
function formValues() {
  const form = $("#pqr-form"); if (!form) return null;
  const out = {};
  for (const n of form.elements) if (n.name) out[n.name] = n.type === "checkbox" ? n.checked : n.value;
  return out;
}
function fillForm(values) {
  const form = $("#pqr-form"); if (!form || !values) return;
  for (const [k, v] of Object.entries(values)) { const n = form.elements.namedItem(k); if (!n || v === undefined || v === null) continue; if (n.type === "checkbox") n.checked = !!v; else n.value = v; }
}
function showFormResult(data) {
  document.querySelectorAll("[data-error-for]").forEach(n => n.textContent = "");
  for (const [k, v] of Object.entries(data.errors || {})) { const n = document.querySelector(`[data-error-for="${k}"]`); if (n) n.textContent = v; }
  const box = $("#form-result"); box.replaceChildren();
  for (const dec of data.decisions || []) box.append(el("div", { class: "decision " + (dec.permitido ? "ok" : "no") }, `${dec.permitido ? "✔" : "✖"} ${dec.regla}: ${dec.razon}`));
  if (data.error) box.append(el("p", { class: "error" }, data.error));
}
async function checkPqr() {
  const r = await api(`/api/conversations/${encodeURIComponent(state.selected)}/intake/check`, { method: "POST", body: formValues() });
  showFormResult(r.data);
  if (r.ok && !Object.keys(r.data.errors || {}).length && !r.data.blocked_by) toast("Los datos están completos y se pueden radicar.");
}
async function saveIntake() {
  const r = await api(`/api/conversations/${encodeURIComponent(state.selected)}/intake`, { method: "PUT", body: formValues() });
  showFormResult(r.data);
  if (r.ok) toast(`Datos guardados (${Object.keys(r.data.saved || {}).length}); el asistente seguirá con ellos.`);
  else toast(r.data.error || "No se pudieron guardar.");
}
async function filePqr() {
  const r = await api(`/api/conversations/${encodeURIComponent(state.selected)}/pqr`, { method: "POST", body: formValues() });
  if (!r.ok) { showFormResult(r.data); toast(r.data.error || "No se pudo radicar."); return; }
  toast(`PQR ${r.data.pqr.numero} radicada.`);
  await loadConversation(state.selected, false);
  $("#reply-text").value = r.data.confirmation_text;
}

async function takeover() {
  const r = await api(`/api/conversations/${encodeURIComponent(state.selected)}/takeover`, { method: "POST" });
  if (!r.ok) toast(r.data.error || "No se pudo tomar."); else toast("Ahora atiendes esta conversación.");
  refresh();
}
async function handback(resume) {
  const r = await api(`/api/conversations/${encodeURIComponent(state.selected)}/handback`, { method: "POST", body: { resume } });
  if (!r.ok) toast(r.data.error || "No se pudo."); else toast(resume ? "Devuelta al asistente." : "Conversación cerrada.");
  refresh();
}
async function transfer(email) {
  const r = await api(`/api/conversations/${encodeURIComponent(state.selected)}/transfer`, { method: "POST", body: { to: email } });
  if (!r.ok) toast(r.data.error || "No se pudo transferir."); else toast("Transferida a " + agentName(email));
  refresh();
}
async function sendReply(template) {
  const text = $("#reply-text").value.trim(); if (!text) return;
  $("#send").disabled = true;
  const r = await api(`/api/conversations/${encodeURIComponent(state.selected)}/messages`, { method: "POST", body: { text, template } });
  $("#send").disabled = false;
  if (!r.ok) { toast(r.data.error || "No se pudo enviar."); return; }
  $("#reply-text").value = "";
  if (r.data.delivery !== "sent" && r.data.delivery !== "web") toast("El canal no aceptó el mensaje: " + (r.data.error || r.data.delivery));
  await loadConversation(state.selected, true);
}
async function addNote() {
  const text = $("#reply-text").value.trim(); if (!text) return;
  const r = await api(`/api/conversations/${encodeURIComponent(state.selected)}/notes`, { method: "POST", body: { text } });
  if (!r.ok) { toast(r.data.error || "No se pudo guardar la nota."); return; }
  $("#reply-text").value = ""; await loadConversation(state.selected, true);
}

// ------------------------------------------------------------------ views
document.querySelectorAll(".tab").forEach(btn => btn.addEventListener("click", () => {
  document.querySelectorAll(".tab").forEach(b => b.classList.toggle("active", b === btn));
  document.querySelectorAll(".view").forEach(v => v.classList.toggle("hidden", v.id !== "view-" + btn.dataset.view));
  if (btn.dataset.view === "dashboard") loadDashboard();
  if (btn.dataset.view === "audit") loadAudit();
  if (btn.dataset.view === "quick") loadQuick();
}));

// ------------------------------------------------------------------ dashboard (inline SVG charts)
const SVGNS = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, ...children) { const n = document.createElementNS(SVGNS, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); for (const c of children) n.append(c); return n; }
function barChart(target, labels, series, colors, { stacked = false, percent = false } = {}) {
  const W = 560, H = 220, L = 36, B = 28, T = 10;
  const totals = labels.map((_, i) => stacked ? series.reduce((s, se) => s + (se.values[i] || 0), 0) : Math.max(...series.map(se => se.values[i] || 0)));
  const max = percent ? 1 : Math.max(4, Math.ceil(Math.max(0, ...totals) / 4) * 4);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", width: "100%" });
  const plotW = W - L - 8, plotH = H - B - T, step = plotW / Math.max(1, labels.length);
  for (let g = 0; g <= 4; g++) {
    const y = T + plotH - plotH * g / 4;
    root.append(svg("line", { x1: L, x2: W - 8, y1: y, y2: y, stroke: "#e6eaef" }));
    const t = svg("text", { x: L - 4, y: y + 4, "text-anchor": "end" }); t.textContent = percent ? `${Math.round(g * 25)}%` : Math.round(max * g / 4); root.append(t);
  }
  labels.forEach((label, i) => {
    let base = 0; const bw = stacked ? step * 0.6 : (step * 0.7) / series.length;
    series.forEach((se, j) => {
      const v = se.values[i] || 0; const h = plotH * v / max;
      const x = L + i * step + step * 0.15 + (stacked ? 0 : j * bw);
      const y = T + plotH - h - (stacked ? plotH * base / max : 0);
      const rect = svg("rect", { x, y, width: Math.max(1, bw), height: Math.max(0, h), fill: colors[j], rx: 2 });
      const title = svg("title"); title.textContent = `${label} · ${se.name}: ${percent ? Math.round(v * 100) + "%" : v}`; rect.append(title);
      root.append(rect); if (stacked) base += v;
    });
    if (labels.length <= 16 || i % Math.ceil(labels.length / 14) === 0) {
      const t = svg("text", { x: L + i * step + step / 2, y: H - 10, "text-anchor": "middle" }); t.textContent = label; root.append(t);
    }
  });
  const swatch = (color) => svg("svg", { width: 10, height: 10, "aria-hidden": "true" }, svg("rect", { width: 10, height: 10, rx: 2, fill: color }));
  const legend = el("div", { class: "legend" }, series.map((se, j) => el("span", {}, swatch(colors[j]), " " + se.name)));
  $(target).replaceChildren(root, legend);
}
function fmtSeconds(s) { if (s === null || s === undefined) return "—"; if (s < 60) return `${Math.round(s)} s`; if (s < 3600) return `${Math.round(s / 60)} min`; return `${(s / 3600).toFixed(1)} h`; }
async function loadDashboard() {
  const r = await api("/api/dashboard?days=" + $("#dash-days").value);
  if (!r.ok) return;
  const d = r.data, t = d.totals;
  const kpi = (value, label) => el("div", { class: "kpi" }, el("b", {}, value), el("span", {}, label));
  $("#kpis").replaceChildren(
    kpi(t.conversations, "conversaciones"), kpi(t.pqrs_assistant, "PQR por el asistente"), kpi(t.pqrs_agents, "PQR por agentes"),
    kpi(t.containment_rate === null ? "—" : Math.round(t.containment_rate * 100) + " %", "contención (sin pasar a persona)"),
    kpi(fmtSeconds(t.waiting_p50_seconds) + " / " + fmtSeconds(t.waiting_p90_seconds), "espera p50 / p90"),
    kpi(fmtSeconds(t.first_reply_p50_seconds), "primera respuesta del agente (p50)"),
    kpi(t.orientaciones, "orientaciones a otros canales"), kpi(t.abandoned_intakes, "reclamos abandonados"));
  const labels = d.days.map(x => x.day.slice(5));
  barChart("#chart-conversations", labels, [{ name: "Conversaciones", values: d.days.map(x => x.conversations) }, { name: "Pasadas a persona", values: d.days.map(x => x.handed_over) }], ["#00783e", "#1f5fbf"]);
  barChart("#chart-pqrs", labels, [{ name: "Asistente", values: d.days.map(x => x.pqrs_assistant) }, { name: "Agentes", values: d.days.map(x => x.pqrs_agents) }], ["#00783e", "#1f5fbf"], { stacked: true });
  barChart("#chart-other", labels, [{ name: "Orientaciones", values: d.days.map(x => x.orientaciones) }, { name: "Abandonados", values: d.days.map(x => x.abandoned_intakes) }], ["#e08a1e", "#9aa3ad"]);
  const byChannel = {};
  for (const row of d.rows) { const c = byChannel[row.channel] || (byChannel[row.channel] = { n: 0, h: 0 }); c.n += row.conversations; c.h += Math.min(row.handed_over, row.conversations); }
  const chans = Object.keys(byChannel);
  barChart("#chart-containment", chans, [{ name: "Contención", values: chans.map(c => byChannel[c].n ? (byChannel[c].n - byChannel[c].h) / byChannel[c].n : 0) }], ["#00783e"], { percent: true });
  const head = ["Día", "Canal", "Conversaciones", "PQR asistente", "PQR agentes", "Contención", "Orientaciones", "Abandonados"];
  $("#dash-table").replaceChildren(el("thead", {}, el("tr", {}, head.map(h => el("th", {}, h)))),
    el("tbody", {}, d.rows.slice().reverse().map(x => el("tr", {}, el("td", {}, x.day), el("td", {}, x.channel), el("td", {}, x.conversations), el("td", {}, x.pqrs_assistant),
      el("td", {}, x.pqrs_agents), el("td", {}, x.containment_rate === null ? "—" : Math.round(x.containment_rate * 100) + " %"), el("td", {}, x.orientaciones), el("td", {}, x.abandoned_intakes)))));
}
$("#dash-days").addEventListener("change", loadDashboard);

// ------------------------------------------------------------------ admin: audit and quick replies
const AUDIT_ACTIONS = { login: "inició sesión", logout: "cerró sesión", login_failed: "intento fallido de ingreso",
  login_throttled: "ingreso bloqueado por intentos", open_conversation: "abrió la conversación", search: "buscó",
  takeover: "tomó la conversación", reply: "respondió", note: "dejó una nota", transfer: "transfirió",
  handback: "devolvió al asistente", close: "cerró la conversación", file_pqr: "radicó PQR", file_pqr_refused: "radicación rechazada",
  intake_update: "corrigió datos", quick_reply_add: "creó respuesta rápida", quick_reply_change: "editó respuesta rápida",
  quick_reply_delete: "borró respuesta rápida", user_add: "creó cuenta", user_disable: "desactivó cuenta" };
async function loadAudit() {
  const r = await api("/api/audit?limit=300"); if (!r.ok) return;
  $("#audit-table").replaceChildren(el("thead", {}, el("tr", {}, ["Fecha", "Persona", "Acción", "Objeto", "Detalle"].map(h => el("th", {}, h)))),
    el("tbody", {}, r.data.entries.map(e => el("tr", {}, el("td", {}, clock(e.at)), el("td", {}, e.actor), el("td", { title: e.action }, AUDIT_ACTIONS[e.action] || e.action), el("td", {}, e.target || ""), el("td", {}, e.detail ? JSON.stringify(e.detail) : "")))));
}
async function loadQuick() {
  const r = await api("/api/quick-replies"); if (!r.ok) return;
  state.quickReplies = r.data.quick_replies;
  $("#quick-list").replaceChildren(...state.quickReplies.map(q => el("li", {}, el("b", {}, q.title), " ", el("button", { class: "link", onclick: () => { $("#quick-id").value = q.id; $("#quick-title").value = q.title; $("#quick-text").value = q.text; } }, "Editar"),
    el("button", { class: "link", onclick: async () => { await api(`/api/quick-replies/${q.id}`, { method: "DELETE" }); loadQuick(); } }, "Borrar"), el("div", { class: "muted" }, q.text))));
}
$("#quick-new").addEventListener("click", () => { $("#quick-id").value = ""; $("#quick-title").value = ""; $("#quick-text").value = ""; });
$("#quick-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const id = $("#quick-id").value, body = { title: $("#quick-title").value, text: $("#quick-text").value };
  const r = await api(id ? `/api/quick-replies/${id}` : "/api/quick-replies", { method: id ? "PUT" : "POST", body });
  if (!r.ok) { toast(r.data.error || "No se pudo guardar."); return; }
  $("#quick-new").click(); loadQuick();
});

// ------------------------------------------------------------------ start
(async () => {
  const r = await api("/api/session");
  if (r.ok) startApp(r.data); else showLogin();
})();
