// The flag and resolution forms (claims_review_form.html). A file, not an inline script, so a
// strict Content-Security-Policy can allow only the project's own scripts.
//
// Post to the stored query as a JSON-accepting fetch, then return to the row page with
// "Flag saved"; without JavaScript the plain form post still works and lands on the stored
// query's page with Datasette's own message.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("claims-review-form");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const error = form.querySelector(".claims-error");
    error.hidden = true;
    const verdict = form.querySelector("input[name=verdict]:checked");
    // An altered or missing quotation marked supported: ask once more.
    if (form.dataset.check && verdict && verdict.value === "supported" &&
        !window.confirm("The quote check found this quotation " + form.dataset.check.replace("_", " ") +
                        " in its source. Mark it supported anyway?")) {
      return;
    }
    const response = await fetch(form.action, {
      method: "POST",
      headers: {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (e) {}
    if (response.ok && data.ok) {
      window.location.href = form.dataset.return;
    } else {
      error.textContent = (data.errors && data.errors.join(" ")) || data.error || ("Error " + response.status);
      error.hidden = false;
    }
  });
});
