// Classroom pages: reload a seat's page when its turn has closed (the server's live fragment
// says which turn is open), and count the seconds down between two polls. No inline script.
"use strict";

function classroomLive() {
  const live = document.getElementById("live");
  if (!live) return;
  const period = document.getElementById("move-period");
  live.addEventListener("htmx:afterSwap", () => {
    const status = live.querySelector("[data-period]");
    if (period && status && status.dataset.period !== period.value) window.location.reload();
  });
}

function countdown() {
  // The server says how many seconds are left; count them down from when the page got them
  // (the student's clock need not agree with the server's).
  setInterval(() => {
    const now = Date.now() / 1000;
    for (const el of document.querySelectorAll("[data-left]")) {
      if (!el.dataset.until) el.dataset.until = String(now + Number(el.dataset.left));
      const left = Math.max(0, Number(el.dataset.until) - now);
      el.textContent = `${Math.floor(left / 60)} min ${Math.floor(left % 60)} s left`;
    }
  }, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  classroomLive();
  countdown();
});
