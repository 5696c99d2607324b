// Keyboard-first call page (SPEC §6): a whole questionnaire without the mouse.
// On a question: digits score (0 = 10) or pick a choice (1, 2, 3 …), y/n answer yes/no, and the
// focus moves on to the next question. Tab / Shift+Tab move between questions, Enter moves to the
// next one, and Enter on the last question saves as 成功 (an answer key there rests the focus on
// 成功, where Enter saves). In a text answer Enter moves on (Shift+Enter is a new line, Esc leaves
// the box). Letters pick a disposition, ! toggles 抱怨, Ctrl+Enter saves as 成功 from anywhere.
(function () {
  const form = document.getElementById("call-form");
  if (!form) return;
  const disposition = document.getElementById("id_disposition");
  const grumble = document.getElementById("id_grumble");
  const appointment = document.getElementById("id_appointment_at");
  const saveSuccess = document.getElementById("save-success");
  const questions = Array.from(form.querySelectorAll(".question"));

  // Activity for the claim heartbeat: the htmx poll only fires while the agent is at the page.
  let lastActivity = Date.now();
  ["keydown", "mousemove", "click", "input"].forEach((ev) =>
    document.addEventListener(ev, () => (lastActivity = Date.now()), { passive: true })
  );
  window.dcrCallActive = () => Date.now() - lastActivity < 10 * 60 * 1000;

  function focusTarget(q) {
    return q.dataset.type === "text" ? q.querySelector("textarea") : q;
  }
  function setAnswer(q, value) {
    const input = q.querySelector(".answer-input");
    input.value = value;
    q.classList.add("answered");
    q.querySelectorAll(".answer-btn").forEach((b) => {
      const on = b.dataset.value === String(value);
      b.classList.toggle("active", on);
      // Inline colours: the chosen answer must be obvious at a glance across a full day of calls.
      b.style.backgroundColor = on ? "var(--bs-primary)" : "";
      b.style.color = on ? "#fff" : "";
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  function moveOn(q) {
    const i = questions.indexOf(q);
    const next = questions[i + 1];
    (next ? focusTarget(next) : saveSuccess).focus();
  }
  // Enter on a question: the next question, or — on the last one, where the agent has finished
  // the questionnaire — save as 成功 (one Enter, not a second one on the button).
  function enterOn(q) {
    if (questions.indexOf(q) === questions.length - 1) submitAs("成功");
    else moveOn(q);
  }
  function submitAs(value) {
    disposition.value = value;
    form.requestSubmit();
  }
  // Answers a key on question q (each answer button carries its key: 1–9 and 0 for a score,
  // y/n for yes/no, 1, 2, 3 … for choices); true when the key was an answer.
  function answerKey(q, key) {
    if (q.dataset.type === "text") return false;
    const btn = q.querySelector(`.answer-btn[data-key="${CSS.escape(key)}"]`);
    if (!btn) return false;
    setAnswer(q, btn.dataset.value);
    return true;
  }

  questions.forEach((q) => {
    q.querySelectorAll(".answer-btn").forEach((b) =>
      b.addEventListener("click", () => {
        setAnswer(q, b.dataset.value);
        q.focus();
      })
    );
    const input = q.querySelector(".answer-input");
    if (input && input.value) setAnswer(q, input.value);
    const text = q.querySelector(".question-text");
    if (text) text.addEventListener("input", () => q.classList.toggle("answered", text.value.trim() !== ""));
  });
  form.querySelectorAll(".disposition-btn").forEach((b) =>
    b.addEventListener("click", (e) => {
      e.preventDefault();
      submitAs(b.dataset.disposition);
    })
  );

  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submitAs("成功");
      return;
    }
    if (e.key === "Enter" && t === appointment) {
      // Enter in the time field saves the appointment chosen with its hotkey.
      e.preventDefault();
      submitAs(disposition.value || "客户忙,约定时间");
      return;
    }
    if (t.classList && t.classList.contains("question-text")) {
      const q = t.closest(".question");
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        enterOn(q);
      } else if (e.key === "Escape") {
        e.preventDefault();
        moveOn(q);
      }
      return;
    }
    const typing = t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && t.type !== "checkbox");
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const q = t.classList && t.classList.contains("question") ? t : null;
    if (q) {
      if (answerKey(q, key)) {
        e.preventDefault();
        moveOn(q);
        return;
      }
      if (key === "Enter") {
        e.preventDefault();
        enterOn(q);
        return;
      }
    } else if (/^[0-9]$/.test(key)) {
      // Focus nowhere in particular: a digit scores the overall question.
      const overall = questions.find((x) => x.dataset.overall);
      if (overall && answerKey(overall, key)) {
        e.preventDefault();
        moveOn(overall);
        return;
      }
    }
    if (key === "!") {
      grumble.checked = !grumble.checked;
      e.preventDefault();
    } else if (key === "Enter" && t.tagName !== "BUTTON" && t.tagName !== "A" && t.tagName !== "SUMMARY") {
      submitAs("成功");
      e.preventDefault();
    } else if (/^[0-9]$/.test(key) && q) {
      e.preventDefault(); // a digit on a yes/no question answers nothing and does nothing else
    } else {
      const btn = form.querySelector(`.disposition-btn[data-hotkey="${key}"]`);
      if (btn) {
        e.preventDefault();
        if (btn.dataset.disposition.includes("约定时间") && !appointment.value) {
          disposition.value = btn.dataset.disposition;
          appointment.focus();
          return;
        }
        submitAs(btn.dataset.disposition);
      }
    }
  });

  // Start on the first question to fix (after an error), else on the first question.
  const start = form.querySelector(".question.border-danger") || questions[0];
  function focusStart() {
    const active = document.activeElement;
    if (start && (!active || active === document.body)) focusTarget(start).focus();
  }
  focusStart();
  window.addEventListener("load", focusStart); // the browser may reset focus while the page loads
})();
