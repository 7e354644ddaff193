// Trustdesk review UI: small progressive enhancements. Every page works without this file.
//
// * Elements with data-refresh="<url>" reload their content from that URL every
//   data-refresh-every milliseconds (the server answers with a fragment marked by the
//   X-Review-Fragment header). When the server's X-Review-Key differs from the
//   element's data-refresh-key, the page's forms are out of date: the page reloads,
//   unless someone is typing in a form, in which case a banner asks them to reload.
//   A region holding a half-written reply is never replaced. While the server cannot
//   answer, the last content stays and a line under it says so.
// * A submitted form shows it is working and cannot be sent twice.
(() => {
  "use strict";

  let typing = false;
  let leaving = false; // a form is being sent: the page is about to be replaced
  document.addEventListener("input", (event) => {
    if (event.target.closest("form")) typing = true;
  });

  function statusLine(element) {
    if (!element.id) return null;
    return document.querySelector(`[data-refresh-status-for="${element.id}"]`);
  }

  function say(element, text, failed) {
    const line = statusLine(element);
    if (!line) return;
    line.textContent = text;
    line.classList.toggle("failed", Boolean(failed));
  }

  function holdsDraft(element) {
    if (element.contains(document.activeElement) && document.activeElement !== element) return true;
    return Array.from(element.querySelectorAll("textarea, input:not([type=hidden])")).some(
      (field) => field.value.trim() !== "",
    );
  }

  function staleBanner() {
    if (document.getElementById("stale-banner")) return;
    const banner = document.createElement("p");
    banner.id = "stale-banner";
    banner.className = "warn";
    banner.setAttribute("role", "status");
    banner.append("This page has changed since you opened it. ");
    const link = document.createElement("a");
    link.href = window.location.pathname + window.location.search;
    link.textContent = "Reload to see the latest.";
    banner.append(link);
    document.querySelector("main").prepend(banner);
  }

  function keep(element) {
    const url = element.dataset.refresh;
    const every = Math.max(500, Number(element.dataset.refreshEvery) || 4000);
    let failures = 0;

    async function refresh() {
      if (leaving) return;
      if (document.hidden) return schedule();
      element.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(url, {
          cache: "no-store",
          credentials: "same-origin",
          headers: { "Accept": "text/html" },
        });
        if (leaving) return;
        if (response.redirected || [401, 403, 404].includes(response.status)) {
          // Signed out, or no longer allowed: let the server's full page say what happened.
          window.location.reload();
          return;
        }
        if (!response.ok || !response.headers.get("X-Review-Fragment")) {
          throw new Error(`HTTP ${response.status}`);
        }
        const html = await response.text();
        const key = response.headers.get("X-Review-Key");
        if (key !== null && element.dataset.refreshKey !== undefined && key !== element.dataset.refreshKey) {
          if (!typing && !holdsDraft(element)) {
            window.location.reload();
            return;
          }
          staleBanner();
        }
        if (holdsDraft(element)) {
          // Never wipe what someone is writing: keep the old content, say it is out of date.
          if (key !== null && key !== element.dataset.refreshKey) staleBanner();
        } else if (element.innerHTML !== html) {
          element.innerHTML = html;
        }
        failures = 0;
        say(element, `Updated ${new Date().toLocaleTimeString()}`, false);
      } catch (error) {
        failures += 1;
        say(element, `Could not update (${error.message}); showing what was last loaded. Retrying…`, true);
      } finally {
        element.removeAttribute("aria-busy");
      }
      schedule();
    }

    function schedule() {
      const delay = failures ? Math.min(every * 2 ** failures, 60000) : every;
      window.setTimeout(refresh, delay);
    }

    schedule();
  }

  document.querySelectorAll("[data-refresh]").forEach(keep);

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    leaving = true;
    const button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (button) {
      button.setAttribute("aria-busy", "true");
      button.dataset.label = button.textContent;
      button.textContent = "Working…";
    }
  });

  // Coming back with the browser's back button shows the page as it was left: re-enable forms.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    leaving = false;
    document.querySelectorAll("[data-refresh]").forEach(keep);
    document.querySelectorAll("form[data-sending]").forEach((form) => {
      delete form.dataset.sending;
      form.querySelectorAll("button[aria-busy]").forEach((button) => {
        button.removeAttribute("aria-busy");
        if (button.dataset.label) button.textContent = button.dataset.label;
      });
    });
  });
})();
