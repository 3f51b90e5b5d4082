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

function sliders() {
  // A move's bounded field: the slider (not submitted) and the number input next to it (the
  // field the form sends) show one value; an empty number leaves the decision to the lens.
  for (const slider of document.querySelectorAll("input[type=range][data-number]")) {
    const number = document.getElementById(slider.dataset.number);
    if (!number) continue;
    slider.addEventListener("input", () => {
      number.value = slider.value;
    });
    number.addEventListener("input", () => {
      if (number.value !== "") slider.value = number.value;
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  classroomLive();
  countdown();
  sliders();
});
