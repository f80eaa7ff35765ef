// Entry point of the studio page: tabs (arrow keys move between them), the persona list, and each view's setup.
import { $, call, el, notice, state } from "./api.js";
import { initAnswers, loadAnswers } from "./answers.js";
import { initCards } from "./cards.js";
import { fillVersions, initCompare } from "./compare.js";
import { initEditor, newPersona, showPersona } from "./editor.js";
import { initPlayground } from "./playground.js";

const TABS = ["editor", "playground", "compare", "answers", "cards"];

function select(name) {
  for (const tab of TABS) {
    const on = tab === name;
    $(`tab-${tab}`).setAttribute("aria-selected", String(on));
    $(`tab-${tab}`).tabIndex = on ? 0 : -1;
    $(`view-${tab}`).hidden = !on;
  }
  if (name === "compare") fillVersions().catch(() => {});
  if (name === "answers") loadAnswers().catch(() => {});
}

function initTabs() {
  TABS.forEach((name, i) => {
    const tab = $(`tab-${name}`);
    tab.addEventListener("click", () => select(name));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = TABS[(i + step + TABS.length) % TABS.length];
      select(next); $(`tab-${next}`).focus();
    });
  });
}

async function openPersona(id) {
  showPersona(await call("GET", `/v1/studio/personas/${id}`));
  $("persona-select").value = id;
}

async function refresh(selectId) {
  state.info = await call("GET", "/v1/studio/info");
  const info = state.info;
  $("persona-select").replaceChildren(...info.personas.map((p) => el("option", { value: p.id,
    text: `${p.name} (${p.id} v${p.version})` })));
  $("set-list").replaceChildren(...info.response_sets.map((s) => el("option", { value: s })));
  if (!$("set-select").value) $("set-select").value = info.response_sets[0] || "";
  const banner = $("lm-banner");
  banner.hidden = info.lm.ready;
  banner.textContent = info.lm.ready ? "" : `언어 모델이 로드되지 않았습니다: ${info.lm.detail}. ` +
    "저장된 답변은 그대로 쓰고, 생성이 필요한 턴은 생성 직전까지만 보여 줍니다.";
  await openPersona(selectId || state.id || info.default);
}

function init() {
  $("api-key").value = sessionStorage.getItem("studio-key") || "";
  $("api-key").addEventListener("change", () => {
    sessionStorage.setItem("studio-key", $("api-key").value.trim()); refresh().catch(() => {});
  });
  initTabs(); initEditor(); initPlayground(); initCompare(); initAnswers(); initCards();
  $("persona-select").addEventListener("change", () => {
    state.history = []; $("chat-log").replaceChildren();  // another persona: a new conversation
    openPersona($("persona-select").value).catch(() => {});
  });
  $("new-persona").addEventListener("click", newPersona);
  document.addEventListener("personas-changed", (event) => refresh(event.detail).catch(() => {}));
  refresh().then(() => { document.body.dataset.ready = "1"; }).catch(() => {
    document.body.dataset.ready = "1"; notice("API에 접근할 수 없습니다. API 키를 확인하세요.");
  });
}

init();
