// Response sets: stored Q/A pairs with served counts, the queries that reached each, near-misses, try-a-query.
import { $, call, el, notice } from "./api.js";

let editing = null;
let loading = 0;  // the latest load: an earlier one that answers late (another set's table) is dropped
const setName = () => encodeURIComponent($("set-select").value.trim());

async function showQueries(record) {
  const found = await call("GET", `/v1/studio/answers/${setName()}/${encodeURIComponent(record.id)}/queries`);
  $("answer-queries").replaceChildren(...(found.data.length ? found.data.map((q) =>
    el("li", { text: `${q.query} — ${q.decision} (${q.score}, ${q.channel})` })) : [el("li", { text: "아직 없습니다." })]));
}

export async function loadAnswers() {
  if (!setName()) return;
  const ticket = ++loading;
  let page;
  try {
    page = await call("GET", `/v1/studio/answers/${setName()}?limit=500`);
  } catch (error) {
    if (ticket !== loading) return;
    if (error.status !== 404) throw error;
    page = { data: [] };  // a new set: it exists once its first answer is added
    notice("새 응답 세트입니다. 첫 답변을 추가하면 만들어집니다.");
  }
  if (ticket !== loading) return;
  const head = el("tr", {}, ...["질문", "답변", "제공 횟수", ""].map((h) => el("th", { text: h })));
  const rows = page.data.map((r) => el("tr", { "data-id": r.id }, el("td", { text: r.question }),
    el("td", { text: r.answer }), el("td", { class: "served", text: String(r.served) }),
    el("td", {}, el("button", { type: "button", text: "질의 보기", onclick: () => showQueries(r).catch(() => {}) }),
      el("button", { type: "button", text: "편집", onclick: () => edit(r) }),
      el("button", { type: "button", text: "삭제", onclick: () => remove(r).catch(() => {}) }))));
  $("answers-table").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  if (!page.data.length) { $("near-table").replaceChildren(); return; }
  const near = await call("GET", `/v1/studio/answers/${setName()}/near-misses`);
  if (ticket !== loading) return;
  const answers = Object.fromEntries(page.data.map((r) => [r.id, r.answer]));
  $("near-table").replaceChildren(el("thead", {}, el("tr", {}, ...["질의", "답변 ID", "점수", "임계", "판정", ""].map((h) =>
    el("th", { text: h })))), el("tbody", {}, ...near.data.map((q) => el("tr", {}, ...[q.query, q.record_id, q.score,
    q.threshold, q.decision].map((v) => el("td", { text: String(v) })), el("td", {}, answers[q.record_id] ?
    el("button", { type: "button", text: "질문으로 승격", onclick: () => promote(q.query, answers[q.record_id])
      .catch(() => {}) }) : "")))));
}

// A near-miss that should have been answered becomes a stored question with the same answer.
async function promote(query, answer) {
  await call("POST", `/v1/studio/answers/${setName()}`, { question: query, answer });
  notice(`'${query}'를 질문으로 추가했습니다.`); await loadAnswers();
}

function edit(record) {
  editing = record.id;
  $("a-question").value = record.question; $("a-answer").value = record.answer;
  $("a-save").textContent = "답변 수정"; $("a-cancel").hidden = false; $("a-question").focus();
}

function stopEditing() {
  editing = null; $("a-question").value = ""; $("a-answer").value = "";
  $("a-save").textContent = "답변 추가"; $("a-cancel").hidden = true;
}

async function remove(record) {
  await call("DELETE", `/v1/studio/answers/${setName()}/${encodeURIComponent(record.id)}`);
  notice("답변을 삭제했습니다."); await loadAnswers();
}

async function saveAnswer() {
  const body = { question: $("a-question").value.trim(), answer: $("a-answer").value.trim() };
  if (editing) await call("PUT", `/v1/studio/answers/${setName()}/${encodeURIComponent(editing)}`, body);
  else await call("POST", `/v1/studio/answers/${setName()}`, body);
  notice(editing ? "답변을 수정했습니다." : "답변을 추가했습니다.");
  stopEditing(); await loadAnswers();
}

async function tryQuery() {
  const verdict = await call("POST", `/v1/studio/answers/${setName()}/try`, { query: $("q-text").value.trim() });
  const top = (verdict.candidates || []).slice(0, 3).map((c) => `  ${c.score}  ${c.question}`).join("\n");
  $("q-result").textContent = `판정: ${verdict.decision} (점수 ${verdict.score} / 임계 ${verdict.threshold})\n` +
    `이유: ${verdict.reason}\n후보:\n${top}`;
}

export function initAnswers() {
  $("set-select").addEventListener("change", () => loadAnswers().catch(() => {}));
  $("answer-form").addEventListener("submit", (event) => { event.preventDefault(); saveAnswer().catch(() => {}); });
  $("a-cancel").addEventListener("click", stopEditing);
  $("query-form").addEventListener("submit", (event) => { event.preventDefault(); tryQuery().catch(() => {}); });
}
