// The briefing editor's live preview: after a pause in typing, post the unsaved wording and
// show the returned article. Without JavaScript the "Preview" button does the same in a
// full page round trip.
const form = document.querySelector("[data-briefing-editor]");
const target = document.getElementById("briefing-preview");
if (form && target) {
  const url = form.dataset.previewUrl;
  const status = document.getElementById("briefing-preview-status");
  let timer = null;
  let sent = 0;
  const refresh = async () => {
    const ticket = ++sent;
    const body = new FormData(form);
    body.delete("action");
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      if (!response.ok || ticket !== sent) return;
      target.innerHTML = await response.text();
      if (status) status.textContent = "Preview updated.";
    } catch (error) {
      if (status) status.textContent = "The preview could not be updated. Use the Preview button.";
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
}
