// The tale page: draw the state embedded in the page at once, then follow the websocket.
(function () {
  "use strict";
  const root = document.getElementById("tale");
  if (!root) return;
  const stagesList = document.getElementById("stages");
  const statusEl = document.getElementById("tale-status");
  const errorEl = document.getElementById("tale-error");
  const retryForm = document.getElementById("retry-form");
  const cancelForm = document.getElementById("cancel-form");
  const player = document.getElementById("player");
  let lastStatus = null;

  function showStage(stage) {
    const row = stagesList.querySelector(`[data-stage="${stage.stage}"]`);
    if (!row) return;
    row.className = `stage status-${stage.status}`;
    row.querySelector(".stage-status").textContent = stage.status_label;
    row.querySelector("progress").value = stage.fraction;
    row.querySelector(".stage-message").textContent = stage.error || stage.message || "";
  }

  function showTale(tale) {
    statusEl.textContent = tale.status_label;
    statusEl.className = `status status-${tale.status}`;
    errorEl.textContent = tale.error || "";
    errorEl.hidden = !tale.error;
    if (retryForm) retryForm.hidden = !(tale.status === "failed" || tale.status === "cancelled");
    if (cancelForm) cancelForm.hidden = !(tale.status === "queued" || tale.status === "running");
    if (tale.video_url) showVideo(tale.video_url, tale.poster_url);
    const finishedNow = lastStatus !== null && lastStatus !== tale.status &&
      (tale.status === "done" || tale.status === "failed");
    lastStatus = tale.status;
    if (finishedNow) refreshSections();
  }

  // The story, the scenes and their pictures are rendered by the server: when a run ends, fetch
  // them again and swap them in, keeping the player (and where it is) as it is.
  function refreshSections() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        for (const selector of [".story", ".scenes", ".whole"]) {
          const fresh = doc.querySelector(selector);
          const old = document.querySelector(selector);
          if (fresh && old) old.replaceWith(fresh);
          else if (fresh) root.appendChild(fresh);
        }
        root.dataset.refreshed = String(Number(root.dataset.refreshed || 0) + 1);
      });
  }

  function showVideo(src, poster) {
    let video = document.getElementById("video");
    if (video && video.getAttribute("src") === src) return;
    if (!video) {
      video = document.createElement("video");
      video.id = "video";
      video.controls = true;
      video.preload = "metadata";
      player.appendChild(video);
    }
    video.poster = poster || "";
    video.src = src;
  }

  function handle(message) {
    if (message.type === "snapshot") {
      message.stages.forEach(showStage);
      showTale(message.tale);
    } else if (message.type === "stage") {
      showStage(message);
    } else if (message.type === "tale") {
      showTale(message);
    }
  }

  handle(JSON.parse(document.getElementById("snapshot").textContent));

  let delay = 1000;
  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${root.dataset.ws}`);
    socket.onopen = () => { delay = 1000; root.dataset.live = "yes"; };
    socket.onmessage = (event) => handle(JSON.parse(event.data));
    socket.onclose = (event) => {
      root.dataset.live = "no";
      if (event.code === 4403) return; // not allowed: do not hammer the server
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }
  connect();
})();
