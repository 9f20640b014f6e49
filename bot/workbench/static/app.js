// Review page of the trainers' workbench (served by the console at /entrenamiento/).
// Uses the console session: GET /api/session gives the CSRF token sent as X-CSRF-Token on POSTs.
"use strict";
const API = "/api/nlu";
let csrf = null;
let intents = [];
let pollTimer = null;

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
};

function notify(text, isError = false) {
  const n = $("#notice");
  n.textContent = text;
  n.className = isError ? "error" : "";
  n.hidden = !text;
}

async function call(method, path, body) {
  const opts = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (method !== "GET") {
    opts.headers["Content-Type"] = "application/json";
    if (csrf) opts.headers["X-CSRF-Token"] = csrf;
    opts.body = JSON.stringify(body || {});
  }
  const resp = await fetch(path, opts);
  let data = null;
  try { data = await resp.json(); } catch (e) { data = null; }
  if (resp.status === 401) { notify("Tu sesión terminó: inicia sesión de nuevo en la consola.", true); }
  else if (resp.status === 403) { notify("Tu rol no permite esta acción (se necesita entrenador o admin).", true); }
  return { status: resp.status, ok: resp.ok, data };
}

const pct = (v) => (v == null ? "–" : v.toFixed(2));
const when = (iso) => (iso ? new Date(iso).toLocaleString("es-CO") : "");

async function loadInbox() {
  const r = await call("GET", API + "/inbox");
  if (!r.ok) return;
  const body = $("#inbox tbody");
  body.replaceChildren();
  const items = r.data.items;
  $("#inbox-count").textContent = items.length ? `(${items.length})` : "";
  $("#inbox-empty").hidden = items.length > 0;
  for (const item of items) {
    const text = el("input", { type: "text", value: item.text, "aria-label": "Texto del ejemplo" });
    const intent = el("input", { list: "intent-names", placeholder: "intención", "aria-label": "Intención",
                                 value: (item.ranking && item.ranking[0] && item.ranking[0].name) || "" });
    const label = el("button", { type: "button", class: "label", onclick: () => labelItem(item, intent.value, text.value) }, "Etiquetar");
    const drop = el("button", { type: "button", class: "discard", onclick: () => discardItem(item) }, "Descartar");
    const guess = [el("div", {}, `${item.predicted_intent || "–"} (${pct(item.confidence)})`)];
    if (item.ranking && item.ranking.length) {
      guess.push(el("div", { class: "small" }, item.ranking.map((x) => `${x.name} ${pct(x.confidence)}`).join(" · ")));
    }
    if (item.reason === "flagged") guess.push(el("div", { class: "small" }, "marcado por " + (item.flagged_by || "un agente")));
    const conv = item.conversation_id
      ? el("a", { href: "#", class: "conv", onclick: (ev) => { ev.preventDefault(); showConversation(item.conversation_id, ev.target.closest("tr")); } },
           item.conversation_id) : "";
    body.append(el("tr", { "data-id": item.id },
      el("td", {}, text), el("td", {}, ...guess), el("td", { class: "num" }, item.count),
      el("td", {}, item.channel || ""), el("td", {}, conv), el("td", {}, when(item.at)),
      el("td", {}, intent, label, " ", drop)));
  }
}

async function showConversation(id, row) {
  const open = row.nextElementSibling;
  if (open && open.classList.contains("transcript")) { open.remove(); return; }
  const r = await call("GET", `${API}/conversations/${encodeURIComponent(id)}`);
  const cell = el("td", { colspan: 7 });
  if (!r.ok) cell.append((r.data && r.data.error) || "No se pudo abrir la conversación.");
  else for (const m of r.data.messages) {
    cell.append(el("div", { class: "msg " + m.from }, el("strong", {}, m.from === "customer" ? "Cliente: " : "Asistente: "), m.text,
      m.intent ? el("span", { class: "small" }, ` (${m.intent} ${pct(m.confidence)})`) : ""));
  }
  row.after(el("tr", { class: "transcript" }, cell));
}

async function labelItem(item, intent, text) {
  intent = intent.trim();
  if (!intent) { notify("Escribe o elige una intención.", true); return; }
  const body = { intent };
  if (text.trim() !== item.text) body.text = text.trim();
  if (!intents.includes(intent)) {
    if (!confirm(`La intención «${intent}» no existe. ¿Crearla en domain.yml?`)) return;
    body.create_intent = true;
  }
  const r = await call("POST", `${API}/inbox/${item.id}`, body);
  if (r.ok) {
    notify(r.data.written ? `Guardado como ejemplo de ${r.data.intent} en ${r.data.file}.`
                          : `Ya era un ejemplo de ${r.data.intent}; sale de la bandeja.`);
    await Promise.all([loadInbox(), loadIntents()]);
  } else if (r.data && r.data.error) notify(r.data.error, true);
}

async function discardItem(item) {
  const r = await call("POST", `${API}/inbox/${item.id}`, { discard: true });
  if (r.ok) { notify("Mensaje descartado."); await loadInbox(); }
  else if (r.data && r.data.error) notify(r.data.error, true);
}

async function loadIntents() {
  const r = await call("GET", API + "/intents");
  if (!r.ok) return;
  intents = r.data.intents.map((i) => i.name);
  $("#intent-names").replaceChildren(...intents.map((n) => el("option", { value: n })));
  const ev = r.data.evaluation;
  $("#eval-summary").textContent = ev
    ? `Última evaluación del modelo activo: exactitud ${pct(ev.accuracy)}, F1 macro ${pct(ev.macro_f1)} (${ev.total} mensajes, ${when(ev.evaluated_at)}).`
    : "El modelo activo no se ha evaluado todavía (botón «Evaluar modelo activo» en Modelos).";
  const v = r.data.validation;
  const vline = $("#validation");
  vline.className = v && !v.ok ? "worse" : "";
  vline.textContent = !v ? "Los datos de entrenamiento se validan con Rasa después de cada etiqueta."
    : v.stale ? "Validando los datos de entrenamiento con Rasa…"
    : v.ok ? `Datos de entrenamiento válidos para Rasa (${v.examples} ejemplos, ${when(v.checked_at)}).`
    : "Rasa encontró problemas en los datos de entrenamiento: " + v.problems.join(" · ");
  const body = $("#intents tbody");
  body.replaceChildren(...r.data.intents.map((i) => el("tr", { "data-intent": i.name },
    el("td", {}, i.name), el("td", { class: "num" }, i.examples), el("td", { class: "num" }, i.reviewed),
    el("td", { class: "num" }, i.f1 == null ? "–" : pct(i.f1)),
    el("td", {}, i.confused_with.map((c) => `${c.intent} (${c.count})`).join(", ") || "–"))));
}

function renderComparison(view) {
  const live = view.live, cand = view.candidate && view.candidate.evaluation;
  const body = $("#compare tbody"), foot = $("#compare tfoot");
  body.replaceChildren();
  foot.replaceChildren();
  const names = new Set([...Object.keys((live && live.intents) || {}), ...Object.keys((cand && cand.intents) || {})]);
  for (const name of [...names].sort()) {
    const a = live && live.intents[name], b = cand && cand.intents[name];
    const cls = a && b ? (b.f1 < a.f1 ? "worse" : b.f1 > a.f1 ? "better" : "") : "";
    body.append(el("tr", {}, el("td", {}, name), el("td", { class: "num" }, (a || b).support),
      el("td", { class: "num" }, a ? pct(a.f1) : "–"), el("td", { class: "num " + cls }, b ? pct(b.f1) : "–")));
  }
  foot.append(el("tr", {}, el("th", {}, "F1 macro"), el("td"), el("th", { class: "num" }, live ? pct(live.macro_f1) : "–"),
    el("th", { class: "num" }, cand ? pct(cand.macro_f1) : "–")));
  foot.append(el("tr", {}, el("th", {}, "Exactitud"), el("td"), el("th", { class: "num" }, live ? pct(live.accuracy) : "–"),
    el("th", { class: "num" }, cand ? pct(cand.accuracy) : "–")));
  const reg = $("#regressions");
  reg.replaceChildren();
  const c = view.candidate;
  if (c) {
    const stories = c.stories ? (c.stories.passed ? "las historias de prueba pasan" : "FALLA una historia de prueba: bloqueado") : "";
    reg.append(el("p", {}, `Candidato #${c.job} (${c.status}) ${stories ? "· " + stories : ""}`));
    if (c.regressions && c.regressions.length) {
      reg.append(el("p", { class: "worse" }, "Peor que el modelo activo:"), el("ul", {}, ...c.regressions.map((x) => el("li", {}, x))));
    }
  }
  $("#btn-activate").disabled = !(c && c.status === "ready");
}

async function loadModels() {
  const [ev, train] = await Promise.all([call("GET", API + "/evaluation"), call("GET", API + "/train")]);
  if (ev.ok) renderComparison(ev.data);
  if (!train.ok) return;
  const job = train.data.running || train.data.jobs[0];
  const bar = $("#job-progress");
  if (job) {
    const kind = job.kind === "train" ? "Entrenamiento" : "Evaluación";
    $("#job").textContent = `${kind} #${job.id}: ${job.step || job.status} (${Math.round(job.progress * 100)} %)` +
      (job.error ? ` — ${job.error.split("\n")[0]}` : "");
    bar.hidden = !train.data.running;
    bar.value = job.progress;
  } else { $("#job").textContent = "Ningún entrenamiento todavía."; bar.hidden = true; }
  $("#btn-train").disabled = $("#btn-evaluate").disabled = !!train.data.running;
  clearTimeout(pollTimer);
  if (train.data.running) pollTimer = setTimeout(loadModels, 3000);
}

async function startJob(path, what) {
  const r = await call("POST", API + path, {});
  if (r.status === 202) notify(`${what} iniciado en segundo plano.`);
  else if (r.data && r.data.error) notify(r.data.error, true);
  await loadModels();
}

async function activate() {
  let r = await call("POST", API + "/activate", {});
  if (r.status === 409 && r.data && r.data.regressions) {
    if (!confirm("El candidato es peor que el modelo activo:\n- " + r.data.regressions.join("\n- ") + "\n\n¿Activarlo de todos modos?")) return;
    r = await call("POST", API + "/activate", { job: r.data.job, force: true });
  }
  if (r.ok) notify(r.data.loaded ? "Candidato activo: el asistente ya lo usa." : "Candidato instalado; " + r.data.detail);
  else if (r.data && r.data.error) notify(r.data.error, true);
  await Promise.all([loadModels(), loadIntents()]);
}

async function rollback() {
  if (!confirm("¿Volver al modelo que estaba activo antes de la última activación?")) return;
  const r = await call("POST", API + "/rollback", {});
  if (r.ok) notify(r.data.loaded ? "Modelo anterior restaurado y cargado." : "Modelo anterior restaurado; " + r.data.detail);
  else if (r.data && r.data.error) notify(r.data.error, true);
  await Promise.all([loadModels(), loadIntents()]);
}

function showTab(name) {
  for (const b of document.querySelectorAll("nav button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of ["inbox", "intents", "models"]) $("#tab-" + s).hidden = s !== name;
  if (name === "models") loadModels();
  if (name === "intents") loadIntents();
}

async function start() {
  const s = await call("GET", "/api/session");
  if (!s.ok) { notify("Inicia sesión en la consola para usar el entrenamiento.", true); return; }
  csrf = s.data.csrf_token;
  const u = s.data.user || {};
  $("#who").textContent = `${u.name || u.email || ""} (${u.role || ""})`;
  for (const b of document.querySelectorAll("nav button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("#btn-train").addEventListener("click", () => startJob("/train", "Entrenamiento"));
  $("#btn-evaluate").addEventListener("click", () => startJob("/evaluation", "Evaluación"));
  $("#btn-activate").addEventListener("click", activate);
  $("#btn-rollback").addEventListener("click", rollback);
  await loadIntents();
  await loadInbox();
}

start();
