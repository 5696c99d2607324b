// Keyboard-first call page: digits score (0 = 10), letters pick a disposition, Enter saves success.
(function () {
  const form = document.getElementById("call-form");
  if (!form) return;
  const disposition = document.getElementById("id_disposition");
  const overall = document.getElementById("id_overall");
  const grumble = document.getElementById("id_grumble");
  const scoreButtons = form.querySelectorAll(".score-btn");

  function setScore(value) {
    overall.value = value;
    scoreButtons.forEach((b) => {
      const on = b.dataset.value === String(value);
      b.classList.toggle("active", on);
      // Inline colours: the chosen score must be obvious at a glance across a full day of calls.
      b.style.backgroundColor = on ? "var(--bs-primary)" : "";
      b.style.color = on ? "#fff" : "";
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  function submitAs(value) {
    disposition.value = value;
    form.requestSubmit();
  }
  scoreButtons.forEach((b) => b.addEventListener("click", () => setScore(b.dataset.value)));
  form.querySelectorAll(".disposition-btn").forEach((b) =>
    b.addEventListener("click", (e) => {
      e.preventDefault();
      submitAs(b.dataset.disposition);
    })
  );
  if (overall.value) setScore(overall.value);

  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.key === "Enter" && t.id === "id_appointment_at") {
      // Enter in the time field saves the appointment chosen with its hotkey.
      e.preventDefault();
      submitAs(disposition.value || "客户忙,约定时间");
      return;
    }
    const typing = t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && t.type !== "checkbox");
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-9]$/.test(e.key)) {
      setScore(e.key === "0" ? 10 : Number(e.key));
      e.preventDefault();
    } else if (e.key === "!") {
      grumble.checked = !grumble.checked;
      e.preventDefault();
    } else if (e.key === "Enter" && t.tagName !== "BUTTON") {
      submitAs("成功");
      e.preventDefault();
    } else {
      const btn = form.querySelector(`.disposition-btn[data-hotkey="${e.key.toLowerCase()}"]`);
      if (btn) {
        e.preventDefault();
        if (btn.dataset.disposition.includes("约定时间") && !form.querySelector("#id_appointment_at").value) {
          disposition.value = btn.dataset.disposition;
          form.querySelector("#id_appointment_at").focus();
          return;
        }
        submitAs(btn.dataset.disposition);
      }
    }
  });
})();
