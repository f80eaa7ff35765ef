// The playground: chat with the persona as it is in the editor; each turn shows its trace.
import { $, call, el, notice, source, state } from "./api.js";
import { addExample } from "./editor.js";

const STAGE_NAMES = { rewrite: "재작성", select: "응답 선택", speech_level: "화계 교정", prompt: "프롬프트",
  generate: "생성", total: "전체" };

function table(rows, head) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h })))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: String(c ?? "") }))))));
}

function section(title, ...body) {
  return el("details", { class: "trace-section" }, el("summary", { text: title }), ...body);
}

export function tracePanel(trace) {
  const rw = trace.rewrite || {};
  const sel = trace.selection || {};
  const parts = [
    section("재작성과 해소", el("p", { text: `독립 질의: ${rw.standalone}` }),
      table((rw.resolutions || []).map((r) => [r.span, r.antecedent, r.kind, r.rule]),
        ["표현", "해소", "종류", "규칙"])),
    section(`응답 선택: ${sel.decision} (점수 ${sel.score} / 임계 ${sel.threshold})`, el("p", { text: `이유: ${sel.reason}` }),
      table((sel.candidates || []).map((c) => [c.question, c.answer, c.score, c.id]), ["질문", "답변", "점수", "ID"])),
  ];
  if (trace.knowledge) {
    parts.push(section(`주입된 지식: ${trace.knowledge.length}개`, table(trace.knowledge.map((k) =>
      [k.source, k.text, k.score]), ["출처", "내용", "점수"])));
  }
  if (trace.prompt) {
    const note = trace.prompt.estimated ? " (추정)" : "";
    parts.push(section(`프롬프트: ${trace.prompt.total_tokens} 토큰${note}`,
      ...trace.prompt.messages.map((m) => el("div", {}, el("strong", { text: `${m.role} · ${m.tokens} 토큰` }),
        el("pre", { text: m.content })))));
  }
  if (trace.params) parts.push(section("생성 매개변수", el("pre", { text: JSON.stringify(trace.params, null, 2) })));
  const gen = trace.generation || {};
  parts.push(section("필터와 화계 교정", el("pre", { text: JSON.stringify({
    filter_hits: gen.filter_hits || [], speech_level: gen.speech_level ?? trace.speech_level ?? null,
    controls: gen.controls || [], regenerations: gen.regenerations ?? 0 }, null, 2) })));
  parts.push(section("단계별 지연(ms)", table(Object.entries(trace.latency_ms || {}).map(([k, v]) =>
    [STAGE_NAMES[k] || k, v.toFixed(1)]), ["단계", "ms"])));
  return el("div", { class: "trace", role: "group", "aria-label": "턴 추적" }, ...parts);
}

function addTurn(role, text) {
  const item = el("li", { class: role }, el("span", { class: "who", text: role === "user" ? "사용자: " : "응답: " }),
    el("span", { class: "text", text }));
  $("chat-log").append(item);
  return item;
}

async function send() {
  const message = $("chat-input").value.trim();
  if (!message) return;
  if (!state.id) { notice("먼저 편집기에서 페르소나를 고르거나 만드세요."); return; }
  $("chat-input").value = "";
  addTurn("user", message);
  const trace = await call("POST", "/v1/studio/try", { persona: source(), history: state.history, message });
  const noLm = trace.reply == null;
  const shown = noLm ? `언어 모델이 로드되지 않아 생성하지 않았습니다 (${(trace.lm || {}).detail || ""}). ` +
    "생성 직전까지의 과정은 아래 추적에 있습니다." : trace.reply;
  const item = addTurn("assistant", shown);
  item.append(el("span", { class: "source", text: ` [${trace.source}]` }));
  if (!noLm) {
    item.append(el("button", { type: "button", class: "to-example", text: "예시로 추가", onclick: () => {
      addExample(message, trace.reply); notice("대화를 새 예시로 편집기에 추가했습니다 (저장은 편집기에서)."); } }));
    state.history.push({ role: "user", text: message }, { role: "assistant", text: trace.reply });
  } else {
    state.history.push({ role: "user", text: message });
  }
  item.append(tracePanel(trace));
  item.querySelector("details").open = true;
}

export function initPlayground() {
  $("chat-form").addEventListener("submit", (event) => { event.preventDefault(); send().catch(() => {}); });
  $("chat-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send().catch(() => {}); }
  });
  $("chat-reset").addEventListener("click", () => { state.history = []; $("chat-log").replaceChildren(); });
}
