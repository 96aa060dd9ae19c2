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
  const deleteForm = document.getElementById("delete-form");  // a tale being made cannot be deleted
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
    if (deleteForm) deleteForm.hidden = tale.status === "queued" || tale.status === "running";
    if (tale.video_url) showVideo(tale.video_url, tale.poster_url, tale.tracks || []);
    const finishedNow = lastStatus !== null && lastStatus !== tale.status &&
      (tale.status === "done" || tale.status === "failed");
    lastStatus = tale.status;
    if (finishedNow) refreshSections();
  }

  // The sections the server renders from the tale's results: when a run ends, fetch the page again and swap
  // them in, keeping the player (and where it is) as it is. A section the page did not have yet (the sharing
  // links once there is a film, the character sheet) goes where the fresh page has it; one it no longer has
  // goes.
  const SECTIONS = [".share", ".story", ".scenes", ".cast", ".music", ".whole"];

  function refreshSections() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        if (!doc.getElementById("tale")) return;  // not the tale's page (signed out meanwhile): keep this one
        // where each fresh section stands among its neighbours, read before any of them moves
        const plan = SECTIONS.map((selector) => {
          const fresh = doc.querySelector(`#tale > ${selector}`);
          const before = [];
          let sibling = fresh && fresh.previousElementSibling;
          for (; sibling; sibling = sibling.previousElementSibling) before.push(sibling);
          return { selector, fresh, before };
        });
        for (const { selector, fresh, before } of plan) {
          const old = root.querySelector(`:scope > ${selector}`);
          if (fresh && old) {
            const typed = typedFields(old);
            const opened = openPanels(old);
            const focused = old.contains(document.activeElement) && document.activeElement.id;
            old.replaceWith(fresh);
            keepOpen(fresh, opened);
            keepTyped(fresh, typed);
            const twin = focused && fresh.querySelector(`#${CSS.escape(focused)}`);
            if (twin) twin.focus();
          } else if (fresh) placeAfter(fresh, before);
          else if (old) old.remove();
        }
        root.dataset.refreshed = String(Number(root.dataset.refreshed || 0) + 1);
      })
      .catch(() => {});  // the page as it is stays; a reload shows the rest
  }

  // The forms the owner has opened (a scene's «Перерисовать картинку»…) stay open across the swap.
  function panelKey(details) {
    const scene = details.closest("[data-scene]");
    const shot = details.closest("[data-shot]");
    const summary = details.querySelector("summary");
    return [scene && scene.dataset.scene, shot && shot.dataset.shot, summary && summary.textContent.trim()]
      .join("|");
  }

  function openPanels(section) {
    return new Set([...section.querySelectorAll("details[open]")].map(panelKey));
  }

  function keepOpen(section, keys) {
    for (const details of section.querySelectorAll("details")) {
      if (keys.has(panelKey(details))) details.open = true;
    }
  }

  // What the owner has typed in a section's forms (or a refused text waiting there): it outlives the swap.
  function typedFields(section) {
    return [...section.querySelectorAll("textarea[id], input[id]")]
      .filter((field) => field.value !== field.defaultValue || "draft" in field.dataset);
  }

  function keepTyped(section, typed) {
    for (const field of typed) {
      const twin = section.querySelector(`#${CSS.escape(field.id)}`);
      if (!twin) continue;
      twin.value = field.value;
      if ("draft" in field.dataset) twin.dataset.draft = "";
      const details = twin.closest("details");
      if (details) details.open = true;
    }
  }

  // Put a section from the fresh page after the nearest of its neighbours there (``before``, nearest first)
  // that this page has too.
  function placeAfter(fresh, before) {
    for (const sibling of before) {
      const here = counterpart(sibling);
      if (here) {
        here.after(fresh);
        return;
      }
    }
    root.prepend(fresh);
  }

  function counterpart(element) {
    if (element.id) return document.getElementById(element.id);
    const name = element.classList[0];
    return name ? root.querySelector(`:scope > ${element.tagName.toLowerCase()}.${name}`) : null;
  }

  function showVideo(src, poster, tracks) {
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
    // the new film's subtitle tracks replace the old film's, before its source changes
    for (const old of video.querySelectorAll("track")) old.remove();
    for (const track of tracks) {
      const element = document.createElement("track");
      element.kind = "subtitles";
      element.srclang = track.srclang;
      element.label = track.label;
      element.src = track.url;
      element.default = Boolean(track.default);
      video.appendChild(element);
    }
    video.src = src;
  }

  // Results as they land (the "artifact" messages): the story, the scenes, each scene's picture, the music.
  function paragraphs(container, text) {
    container.replaceChildren();
    for (const part of text.split("\n\n")) {
      if (!part.trim()) continue;
      const p = document.createElement("p");
      part.split("\n").forEach((line, i) => {
        if (i) p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(line));
      });
      container.appendChild(p);
    }
  }

  function sceneCard(index) {
    const list = document.querySelector(".scene-list");
    if (!list) return null;
    let card = list.querySelector(`.scene[data-scene="${index}"]`);
    if (card) return card;
    card = document.createElement("li");
    card.className = "scene";
    card.dataset.scene = String(index);
    const title = document.createElement("h3");
    title.textContent = (list.dataset.title || "{index}").replace("{index}", index);
    const placeholder = document.createElement("div");
    placeholder.className = "picture-placeholder";
    placeholder.setAttribute("aria-hidden", "true");
    const text = document.createElement("p");
    text.className = "scene-text";
    const promptLine = document.createElement("p");
    promptLine.className = "prompt-line";
    const promptLabel = document.createElement("span");
    promptLabel.className = "prompt-label";
    promptLabel.textContent = list.dataset.promptLabel || "";
    const prompt = document.createElement("span");
    prompt.className = "prompt";
    promptLine.append(promptLabel, " ", prompt);
    card.append(title, placeholder, text, promptLine);
    const forms = editForms(index);
    if (forms) card.appendChild(forms);
    const after = [...list.children].find((other) => Number(other.dataset.scene) > index);
    list.insertBefore(card, after || null);
    list.closest("section").hidden = false;
    return card;
  }

  // A card that arrives live gets the redo forms a reloaded page shows: the server renders them once, for
  // scene "№№", into <template id="scene-edit"> (with the CSRF token and the action URL); here that
  // scene number becomes this card's in every attribute and text.
  function editForms(index) {
    const template = document.getElementById("scene-edit");
    if (!template) return null; // not the owner: no forms
    const slot = template.dataset.slot;
    const forms = template.content.cloneNode(true);
    for (const element of forms.querySelectorAll("*")) {
      for (const attribute of [...element.attributes]) {
        if (attribute.value.includes(slot)) attribute.value = attribute.value.replaceAll(slot, String(index));
      }
    }
    const walker = document.createTreeWalker(forms, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (node.nodeValue.includes(slot)) node.nodeValue = node.nodeValue.replaceAll(slot, String(index));
    }
    return forms;
  }

  // A form field that shows a scene's text or prompt follows it, unless its owner has started editing it.
  function fill(card, name, value) {
    const field = card.querySelector(`[data-fill="${name}"]`);
    // nor a text the server refused, which waits there to be corrected (views.DRAFT)
    if (!field || field.value !== field.defaultValue || "draft" in field.dataset) return;
    field.defaultValue = value;
    field.value = value;
  }

  function showPicture(message) {
    const card = sceneCard(message.scene);
    if (!card) return;
    let img = card.querySelector("img.scene-picture");
    if (!img) {
      img = document.createElement("img");
      img.className = "scene-picture";
      img.alt = card.querySelector("h3").textContent;
      const placeholder = card.querySelector(".picture-placeholder");
      if (placeholder) placeholder.replaceWith(img);
      else card.querySelector("h3").after(img);
    }
    img.classList.toggle("preview", Boolean(message.preview));
    if (img.getAttribute("src") !== message.url) img.src = message.url;
    if (message.prompt) {
      card.querySelector(".prompt").textContent = message.prompt;
      fill(card, "prompt", message.prompt);
    }
    if (message.preview) {  // a picture being drawn shows in the scene's own frame, whichever shot it is
      img.hidden = false;
      return;
    }
    const several = message.shots && message.shots.length > 1;
    if (several) showShots(card, message.shots);
    else card.querySelector(".shots")?.remove();
    leadPicture(card, !several);
  }

  // The scene's own picture, its full-size link and its prompt are its first shot's: hidden while the shots
  // show below.
  function leadPicture(card, shown) {
    const lead = card.querySelectorAll("img.scene-picture, a.still, .prompt-line");
    for (const element of lead) element.hidden = !shown;
  }

  // A scene drawn as several shots: each shot's picture and prompt (the page's own list, after a reload, also
  // has their redo forms and earlier pictures: templates/tales/_shots.html).
  function showShots(card, shots) {
    let list = card.querySelector(".shot-list");
    const items = list ? [...list.querySelectorAll("li.shot")] : [];
    if (items.length === shots.length) {  // the same shots: their pictures and prompts follow, forms stay
      items.forEach((item, i) => {
        const img = item.querySelector("img.shot-picture");
        if (img && img.getAttribute("src") !== shots[i].url) img.src = shots[i].url;
        const prompt = item.querySelector(".shot-prompt");
        if (prompt) prompt.textContent = shots[i].prompt;
      });
      return;
    }
    // another number of shots: the server's count («Картинок в сцене: 3») is stale until the page is refreshed
    const count = card.querySelector(".shots-count");
    if (count) count.remove();
    if (!list) {
      const box = document.createElement("div");
      box.className = "shots";
      list = document.createElement("ol");
      list.className = "shot-list";
      box.append(list);
      card.querySelector(".prompt-line").after(box);
    }
    list.replaceChildren(...shots.map((shot, i) => {
      const item = document.createElement("li");
      item.className = "shot";
      item.dataset.shot = String(i + 1);
      const picture = document.createElement("img");
      picture.className = "shot-picture";
      picture.src = shot.url;
      picture.alt = `${card.querySelector("h3").textContent} · ${i + 1}`;
      const line = document.createElement("p");
      line.className = "shot-line";
      const prompt = document.createElement("span");
      prompt.className = "shot-prompt";
      prompt.textContent = shot.prompt;
      line.append(prompt);
      item.append(picture, line);
      return item;
    }));
  }

  function showArtifact(message) {
    if (message.stage === "story" || message.stage === "proofread") {
      const section = document.querySelector(".story");
      if (!section) return;
      paragraphs(section.querySelector(".story-text"), message.text);
      fill(section, "story", message.text);
      section.hidden = false;
    } else if (message.stage === "scenes") {
      const story = document.querySelector(".story");
      if (message.story && story) {  // a scene was rewritten: the story follows it, after the story's own message
        paragraphs(story.querySelector(".story-text"), message.story);
        fill(story, "story", message.story);
      }
      const list = document.querySelector(".scene-list");
      if (!list) return;
      const wanted = new Set(message.scenes.map((scene) => String(scene.index)));
      for (const card of [...list.children]) if (!wanted.has(card.dataset.scene)) card.remove();
      for (const scene of message.scenes) {
        const card = sceneCard(scene.index);
        card.querySelector(".scene-text").textContent = scene.text;
        fill(card, "text", scene.text);
        if (!card.querySelector("img.scene-picture")) {
          card.querySelector(".prompt").textContent = scene.prompt;
          fill(card, "prompt", scene.prompt);
        }
      }
    } else if (message.stage === "illustration") {
      showPicture(message);
    } else if (message.stage === "music") {
      const audio = document.getElementById("music");
      if (!audio) return;
      if (audio.getAttribute("src") !== message.url) audio.src = message.url;
      audio.closest("section").hidden = false;
    }
  }

  function handle(message) {
    if (message.type === "snapshot") {
      message.stages.forEach(showStage);
      (message.artifacts || []).forEach(showArtifact);
      showTale(message.tale);
    } else if (message.type === "stage") {
      showStage(message);
    } else if (message.type === "tale") {
      showTale(message);
    } else if (message.type === "artifact") {
      showArtifact(message);
    }
  }

  handle(JSON.parse(document.getElementById("snapshot").textContent));

  // The tale was made private, hidden or deleted while this page was open: said under its title.
  function tellGone() {
    if (root.querySelector(".gone")) return;
    const notice = document.createElement("p");
    notice.className = "notice error gone";
    notice.setAttribute("role", "alert");
    notice.textContent = root.dataset.gone;
    root.querySelector("h1").after(notice);
  }

  let delay = 1000;
  let opened = false;
  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${root.dataset.ws}`);
    socket.onopen = () => { delay = 1000; opened = true; root.dataset.live = "yes"; };
    socket.onmessage = (event) => handle(JSON.parse(event.data));
    socket.onclose = (event) => {
      root.dataset.live = "no";
      if (event.code === 4403) { // not allowed (any more): do not hammer the server
        if (opened) tellGone();
        return;
      }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }
  connect();
})();
