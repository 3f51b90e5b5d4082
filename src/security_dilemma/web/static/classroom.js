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
  setInterval(() => {
    for (const el of document.querySelectorAll("[data-deadline]")) {
      const left = Math.max(0, Number(el.dataset.deadline) - Date.now() / 1000);
      el.textContent = `${Math.floor(left / 60)} min ${Math.floor(left % 60)} s left`;
    }
  }, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  classroomLive();
  countdown();
});
