// A background job's page: poll its status and update the count; reload once it has finished
// so the result (or every problem) is shown. Without JavaScript, "Check again" does the same.
const box = document.getElementById("job-status");
if (box && box.dataset.finished === "0") {
  const url = box.dataset.jobStatus;
  const bar = document.getElementById("job-progress");
  const count = document.getElementById("job-count");
  const label = document.getElementById("job-label");
  const format = new Intl.NumberFormat("en-GB");
  const poll = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) {
        const job = await response.json();
        if (job.finished) {
          window.location.reload();
          return;
        }
        if (label) label.textContent = job.label;
        if (bar) {
          bar.value = job.done || 0;
          if (job.total) bar.max = job.total;
        }
        if (count) {
          const of = job.total ? ` of ${format.format(job.total)}` : "";
          count.textContent = `${format.format(job.done || 0)} rows read${of}.`;
        }
      }
    } catch (error) {
      // Keep polling: a dropped request is not a failed job.
    }
    setTimeout(poll, 1500);
  };
  setTimeout(poll, 1000);
}
