/* verifier: the local page. Talks only to this server (/api/...); builds every node with
   textContent, never innerHTML, so nothing in a message can run as code. */
"use strict";

(function () {
  const VOCAB = window.VERIFIER_VOCABULARY;   // served by /vocabulary.js from verifier/vocabulary.py
  const LABELS = VOCAB.labels;                // most risky first
  const RISK = VOCAB.severity;
  const ICONS = { scam: "✖", abusive: "!", suspicious: "?", legitimate: "✔" };
  const MAX_UPLOAD = 20 * 1024 * 1024;
  // invented example messages (one per kind; their names are in T[lang].examples)
  const EXAMPLES = [
    "【某某金融】您的学生账户未注销将影响征信，请添加客服QQ 2876543210 办理注销。",
    "你欠的钱今天再不还，我们就把你的欠款发给你通讯录所有人和你单位领导！还款请登录分期乐App。",
    "【招商银行】您尾号6688的信用卡本期账单5,680.12元，到期还款日07月25日。如已还款请忽略。",
    "明天上午九点在三楼会议室开周会，请带上笔记本。",
  ];
  const PAGE = 200;

  const T = {
    zh: {
      title: "催收短信核查",
      tagline: "这条催收短信是正规提醒、违规催收，还是诈骗？",
      privacy: "全部在你自己的电脑上离线检查，短信内容不会发送到任何网站。",
      tabOne: "检查一条短信", tabInbox: "检查整个收件箱",
      pasteLabel: "把收到的短信粘贴到这里",
      pastePlaceholder: "例如：【某某消费金融】您的借款已逾期……",
      senderLabel: "发件号码", timeLabel: "收到时间", optional: "（可不填）",
      senderPlaceholder: "如 95555、1069…",
      checkBtn: "检查", clearBtn: "清空", checking: "正在检查…",
      dropTitle: "选择或拖入收件箱文件", pickFile: "选择文件",
      dropHint: "支持 SMS Backup & Restore 导出的 .xml，以及 .jsonl、.csv、.txt（每行一条），最大 20 MB",
      uploadBtn: "检查全部短信", checkingMany: "正在检查，短信多时需要一点时间…",
      problemsTitle: "有些内容没能读取", filterBy: "按结果筛选",
      dlCsv: "下载 CSV", dlJsonl: "下载 JSONL",
      rowHint: "按风险从高到低排列。点一行查看完整的判断和建议。",
      colRisk: "结果", colConf: "把握", colSender: "发件号码", colTime: "时间", colText: "短信",
      disclaimer: "本工具仅供参考，不能代替放贷机构的官方渠道。遇到诈骗请拨打 110 报警，反诈咨询 96110。",
      labels: VOCAB.label_names.zh,
      conf: "判断把握", confWords: { high: "高", medium: "中", low: "低" },
      claims: "自称来自", hotline: "官方客服", unlicensed: "（注意：登记信息显示它没有放贷牌照）",
      message: "短信原文", legendRisk: "黄色：危险信号", legendGood: "绿色：正规特征",
      legendTap: "（把鼠标移到标记上或点一下，查看原因）",
      why: "为什么这样判断", good: "也发现了这些正规特征", noEvidence: "没有发现明显的危险信号。",
      senderTime: "（发件号码/时间）", advice: "建议你这样做",
      all: "全部", more: (n, left) => `再显示 ${n} 条（还剩 ${left} 条）`,
      noRows: "没有这一类的短信。",
      fileTooBig: "文件太大：上限是 20 MB。请把收件箱分成几个小文件，或在命令行运行 verifier check -f 文件名。",
      noFile: "请先选择一个文件。",
      offline: "连接不上本机的检查服务。请确认运行 verifier serve 的窗口还开着，然后再试一次。",
      badAnswer: "检查服务的回答无法识别，请重试。",
      found: (n) => `共 ${n} 条短信`,
      unknownSender: "—",
      notDebt: "与借贷无关", hideNotDebt: "隐藏与借贷无关的",
      examplesLabel: "没有短信？试试这些例子：",
      examples: ["冒充客服", "违规催收", "正规提醒", "普通短信"],
      copyReport: "复制报告", printReport: "打印报告", copied: "已复制，可粘贴到投诉材料里。",
      reportTitle: "短信核查报告（verifier，离线检查）", reportChecked: "检查时间",
      noMessages: "这个文件里没有找到短信。请确认导出的是短信（不是通话记录），或换一个文件再试。",
      uploading: (p) => `正在上传 ${p}%…`,
    },
    en: {
      title: "Collection SMS check",
      tagline: "Is this debt-collection message a genuine reminder, abusive collection, or a scam?",
      privacy: "Everything is checked offline on your own computer; no message is sent to any website.",
      tabOne: "Check one message", tabInbox: "Check a whole inbox",
      pasteLabel: "Paste the message you received",
      pastePlaceholder: "e.g. 【某某消费金融】您的借款已逾期……",
      senderLabel: "Sender number", timeLabel: "Received at", optional: "(optional)",
      senderPlaceholder: "e.g. 95555, 1069…",
      checkBtn: "Check", clearBtn: "Clear", checking: "Checking…",
      dropTitle: "Choose or drop an inbox file", pickFile: "Choose a file",
      dropHint: "SMS Backup & Restore .xml, or .jsonl, .csv, .txt (one message a line); up to 20 MB",
      uploadBtn: "Check all messages", checkingMany: "Checking; a large inbox takes a moment…",
      problemsTitle: "Some parts could not be read", filterBy: "Filter by result",
      dlCsv: "Download CSV", dlJsonl: "Download JSONL",
      rowHint: "Sorted by risk, highest first. Click a row for the full verdict and advice.",
      colRisk: "Result", colConf: "Confidence", colSender: "Sender", colTime: "Time", colText: "Message",
      disclaimer: "This tool gives advice only; it does not replace the lender's official channel. For fraud call the police on 110; anti-fraud advice: 96110.",
      labels: Object.fromEntries(Object.entries(VOCAB.label_names.en).map(([k, v]) => [k, v[0].toUpperCase() + v.slice(1)])),
      conf: "Confidence", confWords: { high: "high", medium: "medium", low: "low" },
      claims: "Claims to be from", hotline: "official hotline", unlicensed: " (note: the registry lists no lending licence)",
      message: "The message", legendRisk: "yellow: warning sign", legendGood: "green: sign of a genuine notice",
      legendTap: "(hover over or tap a mark to see why)",
      why: "Why", good: "Signs of a genuine notice", noEvidence: "No clear warning signs were found.",
      senderTime: "(sender/time)", advice: "What to do",
      all: "All", more: (n, left) => `Show ${n} more (${left} left)`,
      noRows: "No messages with this result.",
      fileTooBig: "The file is too large: the limit is 20 MB. Split the inbox into smaller files, or run `verifier check -f FILE` on the command line.",
      noFile: "Choose a file first.",
      offline: "Cannot reach the checker on this computer. Make sure the window running `verifier serve` is still open, then try again.",
      badAnswer: "The checker sent an answer this page cannot read; please try again.",
      found: (n) => `${n} messages`,
      unknownSender: "—",
      notDebt: "not about a debt", hideNotDebt: "Hide messages not about a debt",
      examplesLabel: "No message at hand? Try one of these:",
      examples: ["Fake customer service", "Abusive collection", "Genuine reminder", "Everyday message"],
      copyReport: "Copy report", printReport: "Print report", copied: "Copied: paste it into your complaint.",
      reportTitle: "SMS check report (verifier, checked offline)", reportChecked: "Checked at",
      noMessages: "No messages were found in this file. Make sure it is an export of SMS (not of calls), or try another file.",
      uploading: (p) => `Uploading ${p}%…`,
    },
  };

  const state = {
    lang: "zh",
    one: null,            // {text, sender, received_at} of the verdict shown
    inbox: null,          // {file, data, rows}
    filter: "all",
    shown: PAGE,
  };
  const $ = (id) => document.getElementById(id);
  const t = (key) => T[state.lang][key];

  /* ---- tiny DOM helper ---------------------------------------------------------------------- */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  /* ---- language ----------------------------------------------------------------------------- */
  function applyLang() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("title") + " · verifier";
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-aria]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nAria)); });
    document.querySelectorAll(".lang-btn").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang)));
  }

  function setLang(lang) {
    if (lang === state.lang) return;
    state.lang = lang;
    try { localStorage.setItem("verifier-lang", lang); } catch (e) { /* private mode */ }
    applyLang();
    renderExamples();
    hideError("check-error");
    hideError("upload-error");
    if (state.one) runCheck(state.one);                 // the verdict's texts come from the server
    if (state.inbox && state.inbox.file) runUpload(state.inbox.file);
  }

  /* ---- talking to the server ---------------------------------------------------------------- */
  async function api(path, options) {
    let resp;
    try {
      resp = await fetch(path + "?lang=" + state.lang, options);
    } catch (e) {
      throw new Error(t("offline"));
    }
    let body = null;
    try { body = await resp.json(); } catch (e) { /* not JSON */ }
    if (!resp.ok) throw new Error((body && body.error) || t("badAnswer") + " (HTTP " + resp.status + ")");
    if (!body) throw new Error(t("badAnswer"));
    return body;
  }

  function showError(id, msg) { const el = $(id); el.textContent = msg; el.hidden = false; }
  function hideError(id) { const el = $(id); el.textContent = ""; el.hidden = true; }
  function busy(id, on, button) { $(id).hidden = !on; if (button) $(button).disabled = on; }

  /* ---- one message -------------------------------------------------------------------------- */
  async function runCheck(msg) {
    hideError("check-error");
    busy("check-busy", true, "check-btn");
    try {
      const v = await api("/api/check", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: msg.text, sender: msg.sender || null, received_at: msg.received_at || null, lang: state.lang }),
      });
      state.one = msg;
      const box = $("result");
      box.replaceChildren(renderVerdict(v, msg.text));
      box.querySelector(".verdict").focus({ preventScroll: true });
      const calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      box.scrollIntoView({ behavior: calm ? "auto" : "smooth", block: "start" });
    } catch (e) {
      state.one = null;
      $("result").replaceChildren();
      showError("check-error", e.message);
    } finally {
      busy("check-busy", false, "check-btn");
    }
  }

  function confWord(c) { return c >= 0.85 ? "high" : c >= 0.6 ? "medium" : "low"; }

  function confText(v) {
    const word = t("confWords")[confWord(v.confidence)], pct = Math.round(v.confidence * 100) + "%";
    return state.lang === "zh" ? `${t("conf")}：${word}（${pct}）` : `${t("conf")}: ${word} (${pct})`;
  }

  function badge(label) {
    return h("span", { class: "badge b-" + label },
      h("span", { class: "icon", "aria-hidden": "true", text: ICONS[label] }), t("labels")[label]);
  }

  /* The verdict, laid out like the CLI: label, confidence, summary, lender, message with the
     evidence marked in place, the evidence, the advice. */
  function renderVerdict(v, text) {
    const label = LABELS.includes(v.label) ? v.label : "suspicious";
    const head = h("div", { class: "verdict-head" },
      h("span", { class: "big-icon", "aria-hidden": "true", text: ICONS[label] }),
      h("div", {},
        h("div", { class: "verdict-label" }, t("labels")[label],
          state.lang === "zh" ? h("span", { class: "label-en", text: label }) : null),
        v.decided_by === "empty" ? null : h("div", { class: "verdict-conf", text: confText(v) })));
    const parts = [head, h("p", { class: "summary", text: v.summary })];
    for (const note of (v.notes || []).filter((n) => !/^#\d+:/.test(n))) {
      parts.push(h("p", { class: "note", text: note }));  // e.g. only the start of a huge text was read
    }

    if (v.lender) {
      const hot = (v.lender.hotlines || []).slice(0, 2).join(" / ");
      parts.push(h("p", { class: "lender" },
        h("strong", { text: t("claims") + (state.lang === "zh" ? "：" : ": ") }), v.lender.short || v.lender.name,
        hot ? (state.lang === "zh" ? `（${t("hotline")} ` : ` (${t("hotline")} `) : null,
        hot ? linkNumbers(hot) : null, hot ? (state.lang === "zh" ? "）" : ")") : null,
        v.lender.licensed === false ? t("unlicensed") : null));
    }

    if (v.advice && v.advice.length) {  // what to do first: on a phone it is on the first screen
      parts.push(h("h3", { text: t("advice") }));
      parts.push(h("ol", { class: "advice" }, v.advice.map((a) => h("li", {}, linkNumbers(a)))));
    }

    const ev = v.evidence || [];
    const spans = ev.filter((e) => e.start !== null && e.end !== null);
    if (text) {
      const hasGood = spans.some((e) => e.label === "legitimate");
      const hasRisk = spans.some((e) => e.label !== "legitimate");
      parts.push(h("h3", { text: t("message") }));
      if (spans.length) {
        parts.push(h("p", { class: "legend" },
          hasRisk ? h("span", { class: "key key-risk", text: t("legendRisk") }) : null,
          hasGood ? h("span", { class: "key key-good", text: t("legendGood") }) : null,
          h("span", { class: "muted", text: t("legendTap") })));
      }
      parts.push(h("div", { class: "message" }, highlight(text, spans)));
    }

    const risky = merged(ev.filter((e) => e.label !== "legitimate"), text);
    const good = label === "scam" ? [] : merged(ev.filter((e) => e.label === "legitimate"), text);
    parts.push(h("h3", { text: t("why") }));
    parts.push(risky.length ? evidenceList(risky) : h("p", { class: "muted", text: t("noEvidence") }));
    if (good.length) {
      parts.push(h("h4", { text: t("good") }));
      parts.push(evidenceList(good));
    }
    const status = h("span", { class: "copied muted", role: "status" });
    parts.push(h("div", { class: "report-actions" },
      h("button", { type: "button", class: "ghost small", text: t("copyReport"),
        onclick: () => copyReport(v, text, status) }),
      h("button", { type: "button", class: "ghost small", text: t("printReport"),
        onclick: (e) => printReport(e.target.closest("article")) }),
      status));
    return h("article", { class: "verdict v-" + label, tabindex: "-1", "data-label": label }, parts);
  }

  /* Evidence quoting the same or overlapping words is one item: the strongest reason, with the
     whole overlapping quote and how many other reasons agree. */
  function merged(items, text) {
    const out = [];
    for (const e of items) {
      const g = e.start === null ? null
        : out.find((o) => o.start !== null && e.start < o.end && o.start < e.end);
      if (g) {
        g.start = Math.min(g.start, e.start); g.end = Math.max(g.end, e.end); g.more += 1;
        if (text) g.quote = text.slice(g.start, g.end);
      } else out.push({ ...e, more: 0 });
    }
    return out;
  }

  function reportText(v, text) {
    const when = new Date().toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" });
    const L = [t("reportTitle"), `${t("reportChecked")}: ${when}`, "",
      `${t("labels")[v.label] || v.label} — ${confText(v)}`, v.summary, "", t("message") + ":", text || "", "", t("why") + ":"];
    for (const e of merged((v.evidence || []).filter((x) => x.label !== "legitimate"), text)) {
      L.push(`- ${e.quote ? "“" + e.quote + "” " : t("senderTime") + " "}${e.explanation}`);
    }
    L.push("", t("advice") + ":");
    (v.advice || []).forEach((a, i) => L.push(`${i + 1}. ${a}`));
    L.push("", t("disclaimer"));
    return L.join("\n");
  }

  async function copyReport(v, text, status) {
    const report = reportText(v, text);
    try {
      await navigator.clipboard.writeText(report);
    } catch (e) {  // no clipboard permission: select the text for a manual copy
      const ta = h("textarea", { class: "visually-hidden" });
      ta.value = report;
      document.body.append(ta);
      ta.select();
      try { document.execCommand("copy"); } catch (e2) { /* nothing more to try */ }
      ta.remove();
    }
    status.textContent = t("copied");
  }

  function printReport(article) {
    document.body.classList.add("printing");
    article.classList.add("print-me");
    const done = () => { document.body.classList.remove("printing"); article.classList.remove("print-me"); };
    window.addEventListener("afterprint", done, { once: true });
    window.print();
    setTimeout(done, 1000);
  }

  function evidenceList(items) {
    return h("ul", { class: "evidence" }, items.map((e) => h("li", { class: e.label === "legitimate" ? "good" : "risk" },
      e.quote ? h("q", { class: "quote", text: vis(e.quote) }) : h("span", { class: "muted", text: t("senderTime") }),
      h("span", { class: "expl", text: e.explanation + (e.more ? (state.lang === "zh" ? `（另有 ${e.more} 条相关依据）` : ` (+${e.more} related)`) : "") }))));
  }


  /* Phone numbers in the advice (official hotlines, 110, 12378 …) become tap-to-call links. Only
     the advice, which comes from the registry, never the message itself. */
  function linkNumbers(s) {
    const out = [];
    const re = /(?<![\w.\/-])(\d{3,}(?:-\d{3,4}){0,2})(?![\w\/-])/g;
    let last = 0, m;
    while ((m = re.exec(s))) {
      out.push(s.slice(last, m.index));
      out.push(h("a", { href: "tel:" + m[1].replace(/-/g, ""), class: "tel", text: m[1] }));
      last = m.index + m[1].length;
    }
    out.push(s.slice(last));
    return out;
  }

  /* Marks the evidence spans in the original message. The server's offsets count Unicode code
     points (Python); a JS string counts UTF-16 units, so work on Array.from(text). */
  /* Control and direction characters of a message are shown, never obeyed: a control character
     becomes its Unicode picture (␛, ␍ …), a direction override or isolate becomes <U+202E>. */
  const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g;
  function vis(s) {
    return s.replace(HIDDEN, (c) => {
      const n = c.codePointAt(0);
      if (n < 0x20) return String.fromCodePoint(0x2400 + n);
      if (n === 0x7f) return "\u2421";
      return "<U+" + n.toString(16).toUpperCase().padStart(4, "0") + ">";
    });
  }

  function highlight(text, spans) {
    const cps = Array.from(text);
    const ok = spans.filter((e) => e.start >= 0 && e.end <= cps.length && e.start < e.end
      && cps.slice(e.start, e.end).join("") === e.quote);
    const cuts = new Set([0, cps.length]);
    ok.forEach((e) => { cuts.add(e.start); cuts.add(e.end); });
    const pts = [...cuts].sort((a, b) => a - b);
    const out = [];
    for (let i = 0; i + 1 < pts.length; i++) {
      const a = pts[i], b = pts[i + 1];
      const seg = cps.slice(a, b).join("");
      const cover = ok.filter((e) => e.start <= a && e.end >= b);
      if (!cover.length) { out.push(vis(seg)); continue; }
      const risky = cover.some((e) => e.label !== "legitimate");
      const tips = [...new Set(cover.map((e) => e.explanation))];
      const mark = h("mark", { class: "ev " + (risky ? "ev-risk" : "ev-good"), tabindex: "0",
        "data-signals": cover.map((e) => e.signal).join(" ") }, vis(seg));
      mark._tips = tips;
      out.push(mark);
    }
    return out;
  }

  /* ---- the tooltip for marks (hover, keyboard focus, tap) ------------------------------------ */
  let tipFor = null;
  function showTip(mark) {
    const tip = $("tip");
    tip.replaceChildren(...mark._tips.map((s) => h("div", { text: s })));
    tip.hidden = false;
    tipFor = mark;
    mark.setAttribute("aria-describedby", "tip");
    const r = mark.getBoundingClientRect();
    const w = Math.min(340, window.innerWidth - 16);
    tip.style.maxWidth = w + "px";
    const tw = tip.offsetWidth, th = tip.offsetHeight;
    let left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + window.innerWidth - tw - 8));
    let top = r.bottom + window.scrollY + 8;
    if (r.bottom + th + 16 > window.innerHeight && r.top > th + 16) top = r.top + window.scrollY - th - 8;
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }
  function hideTip() {
    if (tipFor) tipFor.removeAttribute("aria-describedby");
    tipFor = null;
    $("tip").hidden = true;
  }
  function markOf(ev) { return ev.target instanceof Element ? ev.target.closest("mark.ev") : null; }

  /* ---- the inbox ---------------------------------------------------------------------------- */
  async function runUpload(file) {
    hideError("upload-error");
    if (!file) { showError("upload-error", t("noFile")); return; }
    if (file.size > MAX_UPLOAD) { showError("upload-error", t("fileTooBig")); return; }
    busy("upload-busy", true, "upload-btn");
    try {
      const fd = new FormData();
      fd.append("file", file, file.name);
      fd.append("lang", state.lang);
      const data = await uploadWithProgress(fd);
      if (!Array.isArray(data.results)) throw new Error(t("badAnswer"));
      if (!data.results.length && !(data.problems || []).length) throw new Error(t("noMessages"));
      const rows = data.results.map((r, i) => ({ ...r, _i: i }));
      rows.sort((a, b) => (RISK[b.label] - RISK[a.label]) || (b.confidence - a.confidence) || ((a.line || 0) - (b.line || 0)));
      state.inbox = { file, data, rows };
      state.shown = PAGE;
      renderInbox();
    } catch (e) {
      showError("upload-error", e.message);
    } finally {
      busy("upload-busy", false, "upload-btn");
    }
  }

  /* fetch() cannot report upload progress; XMLHttpRequest can (a 20 MB backup takes a while). */
  function uploadWithProgress(fd) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const busyEl = $("upload-busy");
      xhr.open("POST", "/api/upload?lang=" + state.lang);
      xhr.responseType = "text";
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) {
          const p = Math.round((e.loaded / e.total) * 100);
          busyEl.textContent = p < 100 ? t("uploading")(p) : t("checkingMany");
        }
      };
      xhr.onload = () => {
        busyEl.textContent = t("checkingMany");
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body);
        else reject(new Error((body && body.error) || t("badAnswer")));
      };
      xhr.onerror = () => { busyEl.textContent = t("checkingMany"); reject(new Error(t("offline"))); };
      xhr.send(fd);
    });
  }

  function renderInbox() {
    const { data, rows } = state.inbox;
    $("inbox").hidden = false;
    const probs = data.problems || [];
    $("problems").hidden = !probs.length;
    $("problem-list").replaceChildren(...probs.map((p) => h("li", { text: p })));

    const counts = data.counts || {};
    const chip = (key, n, label) => h("button", {
      type: "button", class: "chip" + (key === "all" ? "" : " chip-" + key), "data-filter": key,
      "aria-pressed": String(state.filter === key),
      onclick: () => { state.filter = key; state.shown = PAGE; renderInbox(); },
    }, key === "all" ? null : h("span", { class: "icon", "aria-hidden": "true", text: ICONS[key] }),
      label + " ", h("span", { class: "count", text: String(n) }));
    $("filters").replaceChildren(chip("all", rows.length, t("all")),
      ...LABELS.map((L) => chip(L, counts[L] || 0, t("labels")[L])));

    const hideNotDebt = $("hide-notdebt").checked;
    const visible = rows.filter((r) => (state.filter === "all" || r.label === state.filter) && !(hideNotDebt && notDebt(r)));
    const body = $("inbox-rows");
    body.replaceChildren();
    if (!visible.length) {
      body.append(h("tr", {}, h("td", { colspan: "5", class: "muted empty", text: t("noRows") })));
    }
    for (const r of visible.slice(0, state.shown)) body.append(rowOf(r));
    const left = visible.length - Math.min(visible.length, state.shown);
    const more = $("show-more");
    more.hidden = left <= 0;
    more.textContent = left > 0 ? t("more")(Math.min(PAGE, left), left) : "";
  }

  function fmtTime(v) {
    if (v === null || v === undefined || v === "") return "";
    if (typeof v === "number" || /^\d{9,13}$/.test(String(v))) {  // epoch (SMS backups): shown in China time
      const n = Number(v), d = new Date(n > 1e11 ? n : n * 1000);
      if (isNaN(d)) return String(v);
      const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", year: "numeric",
        month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false }).formatToParts(d).map((x) => [x.type, x.value]));
      return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
    }
    return String(v).replace("T", " ").slice(0, 16);
  }

  function excerpt(s, n) {
    const cps = Array.from(vis(s.replace(/\s+/g, " ").trim()));
    return cps.length > n ? cps.slice(0, n).join("") + "…" : cps.join("");
  }

  function notDebt(r) { return r.label === "legitimate" && r.about_debt === false; }

  function rowOf(r) {
    const tr = h("tr", { class: "row r-" + r.label, tabindex: "0", "aria-expanded": "false", "data-label": r.label },
      h("td", { class: "c-risk" }, badge(r.label), notDebt(r) ? h("span", { class: "notdebt", text: t("notDebt") }) : null),
      h("td", { class: "c-conf", text: t("confWords")[confWord(r.confidence)] }),
      h("td", { class: "c-sender", text: r.sender || t("unknownSender") }),
      h("td", { class: "c-time", text: fmtTime(r.received_at) }),
      h("td", { class: "c-text", text: excerpt(r.text || "", 60) }));
    const toggle = () => {
      const open = tr.getAttribute("aria-expanded") === "true";
      if (open) { tr.nextSibling.remove(); tr.setAttribute("aria-expanded", "false"); return; }
      tr.setAttribute("aria-expanded", "true");
      tr.after(h("tr", { class: "detail" }, h("td", { colspan: "5" }, renderVerdict(r, r.text))));
    };
    tr.addEventListener("click", toggle);
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
    return tr;
  }

  /* ---- downloads ---------------------------------------------------------------------------- */
  function csvCell(v) {
    let s = v === null || v === undefined ? "" : String(v);
    // no formulas in a spreadsheet: any cell that starts like one (=, +, -, @, tab, CR) is quoted,
    // except a plain number such as -12.5 or +8613800000000
    if (/^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(?:\.\d+)?$/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type }));
    const a = h("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function downloadCsv() {
    if (!state.inbox) return;
    const head = state.lang === "zh"
      ? ["行号", "结果", "把握", "发件号码", "收到时间（北京时间）", "结论", "依据", "与借贷无关", "短信", "label"]
      : ["line", "result", "confidence", "sender", "received (China time)", "summary", "reasons", "not about a debt", "message", "label"];
    const lines = [head.map(csvCell).join(",")];
    for (const r of state.inbox.rows) {
      const reasons = merged((r.evidence || []).filter((e) => e.label !== "legitimate" || r.label === "legitimate"), r.text)
        .map((e) => (e.quote ? `“${e.quote}” ` : "") + e.explanation).join("；");
      lines.push([r.line, t("labels")[r.label], Math.round(r.confidence * 100) + "%", r.sender, fmtTime(r.received_at), r.summary,
        reasons, notDebt(r) ? "✓" : "", r.text, r.label].map(csvCell).join(","));
    }
    download("verifier-results.csv", "text/csv;charset=utf-8", "\ufeff" + lines.join("\r\n") + "\r\n");
  }

  function downloadJsonl() {
    if (!state.inbox) return;
    const lines = state.inbox.rows.map(({ _i, ...r }) => JSON.stringify(r));
    download("verifier-results.jsonl", "application/x-ndjson;charset=utf-8", lines.join("\n") + "\n");
  }

  /* ---- wiring ------------------------------------------------------------------------------- */
  function selectTab(which) {
    const one = which === "one";
    $("tab-one").setAttribute("aria-selected", String(one));
    $("tab-inbox").setAttribute("aria-selected", String(!one));
    $("panel-one").hidden = !one;
    $("panel-inbox").hidden = one;
    hideTip();
  }

  function renderExamples() {
    const list = $("example-list");
    if (!list) return;
    list.replaceChildren(...t("examples").map((name, i) => h("button", {
      type: "button", class: "example ghost small", text: name,
      onclick: () => { $("text").value = EXAMPLES[i]; $("sender").value = ""; $("received").value = ""; $("check-form").requestSubmit(); },
    })));
  }

  function init() {
    let saved = null;
    try { saved = localStorage.getItem("verifier-lang"); } catch (e) { /* private mode */ }
    const wanted = new URLSearchParams(location.search).get("lang") || saved;
    if (wanted === "en" || wanted === "zh") state.lang = wanted;
    applyLang();
    renderExamples();

    document.querySelectorAll(".lang-btn").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
    $("tab-one").addEventListener("click", () => selectTab("one"));
    $("tab-inbox").addEventListener("click", () => selectTab("inbox"));
    document.querySelector(".tabs").addEventListener("keydown", (e) => {
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        const next = $("tab-one").getAttribute("aria-selected") === "true" ? "inbox" : "one";
        selectTab(next);
        $(next === "one" ? "tab-one" : "tab-inbox").focus();
      }
    });

    $("check-form").addEventListener("submit", (e) => {
      e.preventDefault();
      hideTip();
      runCheck({ text: $("text").value, sender: $("sender").value.trim(), received_at: $("received").value });
    });
    $("text").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("check-form").requestSubmit();
    });
    $("clear-btn").addEventListener("click", () => {
      $("text").value = ""; $("sender").value = ""; $("received").value = "";
      state.one = null; $("result").replaceChildren(); hideError("check-error"); hideTip(); $("text").focus();
    });

    const fileInput = $("file");
    const showName = () => { $("file-name").textContent = fileInput.files[0] ? fileInput.files[0].name : ""; };
    fileInput.addEventListener("change", () => { showName(); hideError("upload-error"); });
    const drop = $("drop");
    ["dragenter", "dragover"].forEach((n) => drop.addEventListener(n, (e) => { e.preventDefault(); drop.classList.add("over"); }));
    ["dragleave", "drop"].forEach((n) => drop.addEventListener(n, () => drop.classList.remove("over")));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) { fileInput.files = e.dataTransfer.files; showName(); }
    });
    $("upload-form").addEventListener("submit", (e) => { e.preventDefault(); runUpload(fileInput.files[0]); });
    $("show-more").addEventListener("click", () => { state.shown += PAGE; renderInbox(); });
    $("hide-notdebt").addEventListener("change", () => { if (state.inbox) { state.shown = PAGE; renderInbox(); } });
    $("dl-csv").addEventListener("click", downloadCsv);
    $("dl-jsonl").addEventListener("click", downloadJsonl);

    document.addEventListener("mouseover", (e) => { const m = markOf(e); if (m) showTip(m); });
    document.addEventListener("mouseout", (e) => { const m = markOf(e); if (m && m === tipFor && !m.contains(e.relatedTarget)) hideTip(); });
    document.addEventListener("focusin", (e) => { const m = markOf(e); if (m) showTip(m); else if (tipFor) hideTip(); });
    document.addEventListener("click", (e) => {
      const m = markOf(e);
      if (m) showTip(m);
      else if (tipFor) hideTip();
    }, true);
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") hideTip(); });
    // phones fire resize while scrolling (the address bar): move the tip, do not hide it
    window.addEventListener("resize", () => { if (tipFor && tipFor.isConnected) showTip(tipFor); else hideTip(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
