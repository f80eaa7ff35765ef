// The persona editor: form and raw YAML kept in step through the server's validator (the loader's own errors),
// the token budget meter, saving, versions, diff and revert.
import { $, call, debounce, el, notice, source, state } from "./api.js";

const lines = (text) => text.split("\n").map((s) => s.trim()).filter(Boolean);

function exampleBlock(dialogue, index) {
  const box = el("div", { class: "pair", "data-example": String(index) });
  dialogue.forEach((turn, t) => {
    const id = `ex-${index}-${t}`;
    const who = turn.role === "user" ? "사용자" : "어시스턴트";
    box.append(el("div", { class: "field" },
      el("label", { for: id, text: `예시 ${index + 1} · ${who} ${Math.floor(t / 2) + 1}` }),
      el("textarea", { id, rows: "2", "data-role": turn.role }, turn.text)));
  });
  box.append(el("button", { type: "button", text: `예시 ${index + 1} 삭제`, onclick: () => {
    box.remove(); formChanged(); } }));
  return box;
}

function loreBlock(entry, index) {
  const keys = `lore-keys-${index}`, content = `lore-content-${index}`;
  const box = el("div", { class: "pair", "data-lore": String(index) },
    el("div", { class: "field" }, el("label", { for: keys, text: `항목 ${index + 1} 키워드 (쉼표로 구분)` }),
      el("input", { id: keys, value: (entry.keys || []).join(", ") })),
    el("div", { class: "field" }, el("label", { for: content, text: `항목 ${index + 1} 내용` }),
      el("textarea", { id: content, rows: "2" }, entry.content || "")));
  box.append(el("button", { type: "button", text: `항목 ${index + 1} 삭제`, onclick: () => {
    box.remove(); formChanged(); } }));
  return box;
}

export function fillForm(doc) {
  const form = $("persona-form");
  const focused = document.activeElement;
  const set = (id, value) => { if ($(id) !== focused) $(id).value = value ?? ""; };
  set("f-id", doc.id); set("f-name", doc.name); set("f-description", doc.description);
  set("f-personality", doc.personality); set("f-speech", doc.speech_level || "해요체");
  set("f-greetings", (doc.greetings || []).join("\n")); set("f-refusal", doc.refusal);
  set("f-rules", doc.post_history_instructions);
  set("f-forbidden", ((doc.style || {}).forbidden_topics || []).join("\n"));
  set("f-sets", [doc.response_set, ...(doc.response_sets || [])].filter(Boolean).join(", "));
  if (!form.contains(focused) || !focused.closest("#examples, #lore")) {
    $("examples").replaceChildren(...(doc.examples || []).map(exampleBlock));
    const entries = (doc.character_book || {}).entries || [];
    $("lore").replaceChildren(...entries.map(loreBlock));
  }
}

export function formDoc() {
  const doc = structuredClone(state.doc || {});
  const text = (id) => $(id).value.trim();
  doc.id = text("f-id"); doc.name = text("f-name"); doc.description = $("f-description").value;
  doc.personality = $("f-personality").value; doc.speech_level = $("f-speech").value;
  doc.greetings = lines($("f-greetings").value); doc.refusal = text("f-refusal");
  doc.post_history_instructions = $("f-rules").value;
  doc.style = { ...(doc.style || {}), forbidden_topics: lines($("f-forbidden").value) };
  delete doc.response_set;
  doc.response_sets = text("f-sets").split(",").map((s) => s.trim()).filter(Boolean);
  doc.examples = [...$("examples").querySelectorAll("[data-example]")].map((box) =>
    [...box.querySelectorAll("textarea")].map((t) => ({ role: t.dataset.role, text: t.value })));
  const entries = [...$("lore").querySelectorAll("[data-lore]")].map((box) => {
    const [keys, content] = box.querySelectorAll("input, textarea");
    return { keys: keys.value.split(",").map((s) => s.trim()).filter(Boolean), content: content.value };
  });
  if (entries.length || doc.character_book) doc.character_book = { ...(doc.character_book || {}), entries };
  for (const key of ["description", "personality", "post_history_instructions"]) if (!doc[key]) delete doc[key];
  delete doc.version;
  return doc;
}

function showCheck(result) {
  const box = $("validation");
  if (result.valid) {
    box.className = "validation ok"; box.textContent = "유효합니다 (로더와 같은 검사)";
  } else {
    const e = result.error;
    const where = [e.line ? `${e.line}번째 줄` : null, e.field ? `필드 '${e.field}'` : null].filter(Boolean).join(" · ");
    box.className = "validation bad"; box.textContent = `오류 ${where ? where + ": " : ""}${e.message}`;
  }
  showBudget(result.budget);
}

function showBudget(budget) {
  if (!budget) { $("budget-text").textContent = "유효한 페르소나만 예산을 계산합니다."; return; }
  const meter = $("budget-meter");
  meter.max = budget.budget; meter.value = Math.min(budget.used, budget.budget); meter.high = budget.budget * 0.9;
  const examples = budget.examples.reduce((sum, e) => sum + e.tokens, 0);
  const trimmed = budget.trimmed_examples ? ` · 잘리는 예시 ${budget.trimmed_examples}개` : " · 잘리는 것 없음";
  const estimated = budget.estimated ? " (언어 모델이 없어 추정치)" : "";
  const lore = budget.lore.reduce((sum, t) => sum + t, 0);
  const loreText = budget.lore.length ? ` (로어북 ${budget.lore.length}개 ${lore} 토큰은 키워드가 나올 때만 추가)` : "";
  $("budget-text").textContent = `시스템 ${budget.system} + 예시 ${examples} + 메시지 ${budget.message}` + loreText +
    ` = ${budget.used} / 예산 ${budget.budget} 토큰 (문맥 ${budget.context_window} − 응답 ${budget.max_new_tokens})` +
    trimmed + estimated + (budget.error ? ` · ${budget.error}` : "");
}

export async function check() {
  state.id = $("f-id").value.trim() || state.id;
  if (!state.id) return null;
  const result = await call("POST", "/v1/studio/check", { persona: source() });
  if (result.document) {
    if (state.lastView === "yaml") { state.doc = result.document; fillForm(result.document); }
  }
  if (state.lastView === "form" && document.activeElement !== $("yaml")) $("yaml").value = result.yaml;
  showCheck(result);
  return result;
}

const recheck = debounce(() => check().catch(() => {}), 250);
export function formChanged() { state.lastView = "form"; state.doc = formDoc(); state.id = state.doc.id; recheck(); }
function yamlChanged() { state.lastView = "yaml"; recheck(); }

export function showPersona(loaded) {
  state.id = loaded.id; state.doc = loaded.document; state.version = loaded.version; state.lastView = "form";
  fillForm(loaded.document); $("yaml").value = loaded.yaml;
  $("versions").replaceChildren(...loaded.versions.map((v) => el("option", { value: String(v.version),
    text: `v${v.version}${v.current ? " (현재)" : ""}` })));
  $("versions").value = String(loaded.version);
  showCheck({ valid: true, budget: loaded.budget });
}

async function save() {
  if (state.lastView === "form") state.doc = formDoc();
  const loaded = await call("PUT", `/v1/studio/personas/${state.id}`, { persona: source() });
  showPersona(loaded);
  notice(`저장했습니다: ${loaded.id} v${loaded.version}`);
  document.dispatchEvent(new CustomEvent("personas-changed", { detail: loaded.id }));
}

async function showDiff() {
  const chosen = Number($("versions").value);
  const older = chosen > 1 ? chosen - 1 : chosen;
  const result = await call("GET", `/v1/studio/personas/${state.id}/diff?old=${older}&new=${chosen}`);
  $("diff").textContent = result.diff || "차이가 없습니다.";
}

async function revert() {
  const loaded = await call("POST", `/v1/studio/personas/${state.id}/revert`, { version: Number($("versions").value) });
  showPersona(loaded);
  notice(`되돌렸습니다: v${loaded.version}`);
}

export function newPersona() {
  state.id = ""; state.version = null; state.lastView = "form";
  state.doc = { speech_level: "해요체", greetings: [], examples: [] };
  fillForm({ id: "", name: "", speech_level: "해요체", greetings: [], examples: [] });
  $("yaml").value = ""; $("versions").replaceChildren(); $("diff").textContent = "";
  $("validation").textContent = ""; $("f-id").focus();
}

export function addExample(user = "", assistant = "") {
  const index = $("examples").querySelectorAll("[data-example]").length;
  $("examples").append(exampleBlock([{ role: "user", text: user }, { role: "assistant", text: assistant }], index));
  formChanged();
}

export function initEditor() {
  $("persona-form").addEventListener("input", formChanged);
  $("persona-form").addEventListener("submit", (event) => event.preventDefault());
  $("yaml").addEventListener("input", yamlChanged);
  $("add-example").addEventListener("click", () => { addExample(); $("examples").lastChild.querySelector("textarea").focus(); });
  $("add-lore").addEventListener("click", () => {
    const index = $("lore").querySelectorAll("[data-lore]").length;
    $("lore").append(loreBlock({ keys: [], content: "" }, index)); formChanged();
  });
  $("save").addEventListener("click", () => save().catch(() => {}));
  $("diff-btn").addEventListener("click", () => showDiff().catch(() => {}));
  $("revert-btn").addEventListener("click", () => revert().catch(() => {}));
}
