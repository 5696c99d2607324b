// Keyboard use of the outreach call page (reminder and win-back calls): digit N picks the Nth result
// and saves it; 已预约 (booked) first needs its date, so its key moves the focus to the date field, Tab
// goes on to the slot and the service type, and Enter in any of them saves as booked. Keys typed into a field are the field's.
(function () {
  const form = document.getElementById("outreach-form");
  if (!form) return;
  // Activity for the claim heartbeat (#claim-heartbeat): the htmx poll only fires while the agent is at
  // the page, as on the callback call page.
  let lastActivity = Date.now();
  ["keydown", "mousemove", "click", "input"].forEach((ev) =>
    document.addEventListener(ev, () => (lastActivity = Date.now()), { passive: true })
  );
  window.dcrCallActive = () => Date.now() - lastActivity < 10 * 60 * 1000;
  const result = document.getElementById("id_result");
  const booked = document.getElementById("id_booked_on");
  let pending = null;
  function save(value) {
    result.value = value;
    form.querySelectorAll(".result-btn").forEach((b) => b.removeAttribute("name"));
    form.submit();
  }
  form.querySelectorAll(".result-btn").forEach((btn) =>
    btn.addEventListener("click", (ev) => {
      if (btn.dataset.result === "booked" && booked && !booked.value) {
        ev.preventDefault();
        pending = "booked";
        booked.focus();
        return;
      }
      ev.preventDefault();
      save(btn.dataset.result);
    })
  );
  // Enter in the booking fields (date, slot, service type) saves as booked once a date is set; the
  // slot select lists the free places of the date (reloaded by htmx when the date changes).
  ["id_booked_on", "id_booked_slot", "id_service_type"].forEach((id) => {
    const field = document.getElementById(id);
    if (!field) return;
    field.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        if (booked && booked.value) save(pending || "booked");
      }
    });
  });
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const btn = form.querySelector(`.result-btn[data-hotkey="${ev.key}"]`);
    if (btn) {
      ev.preventDefault();
      btn.click();
    }
  });
})();
