/*
 * Trợ lý ảo IOC — web chat widget (plain JS, no build step, no CDN).
 * Embed with ONE tag:
 *   <script src="https://host/widget.js" data-socket-url="http://127.0.0.1:5005"></script>
 * Optional attributes: data-role-token, data-session-id, data-max-chars, data-rate-per-min,
 *   data-open="true", data-storage-key, data-socket-path, data-transports ("websocket" or
 *   "websocket,polling"), data-transcript="off" (public kiosks: nothing is kept in the browser
 *   after the page closes). A staff page sets data-session-id together with data-role-token:
 *   the portal's signed token is valid only in the conversation it was issued for.
 * Talks to Rasa's socket.io channel (session_request / user_uttered / bot_uttered).
 * Security: every user or bot string is inserted with textContent / createTextNode, never innerHTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__trolyaoWidgetLoaded) { return; }
  window.__trolyaoWidgetLoaded = true;

  var base = new URL(".", script.src).href;
  var attr = function (name, fallback) {
    var value = script.getAttribute("data-" + name);
    return value === null || value === "" ? fallback : value;
  };
  var config = {
    socketUrl: attr("socket-url", "http://127.0.0.1:5005"),
    socketPath: attr("socket-path", "/socket.io"),
    transports: attr("transports", "websocket").split(","),
    roleToken: attr("role-token", null),
    sessionId: attr("session-id", null),
    maxChars: parseInt(attr("max-chars", "1000"), 10) || 1000,
    ratePerMin: parseInt(attr("rate-per-min", "20"), 10) || 20,
    open: attr("open", "false") === "true",
    storageKey: attr("storage-key", "trolyao-ioc"),
    keepTranscript: attr("transcript", "on") !== "off"
  };
  var MAX_TRANSCRIPT = 200;
  var texts = {};
  var t = function (key) { return texts[key] || key; };

  // ---------- storage (session id + transcript survive a reload; Rasa does not replay) ----------
  var memory = {};  // data-transcript="off": kept in this page only, never in localStorage
  var store = {
    get: function (key, fallback) {
      if (!config.keepTranscript) { return key in memory ? memory[key] : fallback; }
      try {
        var raw = window.localStorage.getItem(config.storageKey + ":" + key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (err) { return fallback; }
    },
    set: function (key, value) {
      if (!config.keepTranscript) { memory[key] = value; return; }
      try { window.localStorage.setItem(config.storageKey + ":" + key, JSON.stringify(value)); }
      catch (err) { /* private mode or quota: the chat still works, only history is lost */ }
    }
  };
  var newId = function () {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  };
  var validId = function (id) { return typeof id === "string" && /^[a-zA-Z0-9_-]{8,64}$/.test(id); };
  var pinned = validId(config.sessionId);  // the page chose the conversation (staff token)
  var sessionId = pinned ? config.sessionId : store.get("session", null);
  if (!validId(sessionId)) {
    sessionId = newId();
    store.set("session", sessionId);
  }
  if (!config.keepTranscript) {
    try {  // a kiosk that used to keep transcripts: forget them now
      window.localStorage.removeItem(config.storageKey + ":transcript");
      window.localStorage.removeItem(config.storageKey + ":session");
    } catch (err) { /* storage disabled: nothing stored either */ }
  }
  var transcript = store.get("transcript", []);
  if (!Array.isArray(transcript)) { transcript = []; }

  // ---------- DOM helpers (text only) ----------
  var el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  };
  var safeUrl = function (value) {
    try {
      var url = new URL(String(value), window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (err) { return null; }
  };
  var URL_RE = /https?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?]/g;
  var appendLinkified = function (parent, text) {
    var last = 0;
    String(text).replace(URL_RE, function (match, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var href = safeUrl(match);
      if (href) {
        var link = el("a", null, match);
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer nofollow";
        parent.appendChild(link);
      } else {
        parent.appendChild(document.createTextNode(match));
      }
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  };

  // ---------- UI ----------
  var root, log, input, sendButton, typing, notice, socket;
  var buildUi = function () {
    root = el("div", "tyw-root" + (config.open ? " tyw-open" : ""));
    root.setAttribute("lang", "vi");
    root.setAttribute("data-session", sessionId);
    var launcher = el("button", "tyw-launcher", "💬");
    launcher.type = "button";
    launcher.setAttribute("aria-label", t("open"));
    var panel = el("section", "tyw-panel");
    panel.setAttribute("aria-label", t("title"));
    var header = el("header", "tyw-header");
    var heading = el("div", "tyw-heading");
    heading.appendChild(el("strong", "tyw-title", t("title")));
    heading.appendChild(el("span", "tyw-subtitle", t("subtitle")));
    var clear = el("button", "tyw-clear", "↺");
    clear.type = "button";
    clear.title = t("clear");
    clear.setAttribute("aria-label", t("clear"));
    var close = el("button", "tyw-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", t("close"));
    header.appendChild(heading);
    header.appendChild(clear);
    header.appendChild(close);
    log = el("div", "tyw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    typing = el("div", "tyw-typing", t("typing"));
    typing.hidden = true;
    notice = el("div", "tyw-notice");
    notice.hidden = true;
    var form = el("form", "tyw-form");
    input = el("textarea", "tyw-input");
    input.rows = 1;
    input.placeholder = t("placeholder");
    input.setAttribute("aria-label", t("placeholder"));
    input.maxLength = config.maxChars * 2; // the polite length message is ours, not the browser's
    sendButton = el("button", "tyw-send", t("send"));
    sendButton.type = "submit";
    form.appendChild(input);
    form.appendChild(sendButton);
    panel.appendChild(header);
    panel.appendChild(notice);
    panel.appendChild(log);
    panel.appendChild(typing);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    launcher.addEventListener("click", function () { root.classList.add("tyw-open"); input.focus(); });
    close.addEventListener("click", function () { root.classList.remove("tyw-open"); });
    clear.addEventListener("click", function () {
      transcript = [];
      store.set("transcript", transcript);
      if (!pinned) {
        sessionId = newId();
        store.set("session", sessionId);
        root.setAttribute("data-session", sessionId);
        if (socket) { socket.emit("session_request", { session_id: sessionId }); }
      }
      renderAll();
      // a new conversation may live on another replica: reconnect with the new sender
      if (socket) { socket.disconnect(); connect(); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value;
      input.value = "";
      sendText(text, null);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : sendButton.click();
      }
    });
  };

  var renderEntry = function (entry, isLast) {
    var row = el("div", "tyw-msg tyw-" + (entry.from === "user" ? "user" : "bot"));
    if (entry.text) {
      var bubble = el("div", "tyw-bubble");
      if (entry.from === "user") { bubble.textContent = entry.text; } else { appendLinkified(bubble, entry.text); }
      row.appendChild(bubble);
    }
    var src = entry.image ? safeUrl(entry.image) : null;
    if (src) {
      var link = el("a", "tyw-image-link");
      link.href = src;
      link.target = "_blank";
      link.rel = "noopener noreferrer nofollow";
      var img = el("img", "tyw-image");
      img.alt = t("image_alt");
      img.loading = "lazy";
      img.src = src;
      link.appendChild(img);
      row.appendChild(link);
    }
    if (entry.buttons && entry.buttons.length) {
      var group = el("div", "tyw-buttons");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", t("suggestions"));
      entry.buttons.forEach(function (button) {
        var b = el("button", "tyw-button", button.title);
        b.type = "button";
        b.disabled = !isLast;
        b.addEventListener("click", function () {
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          if (button.payload.indexOf("/feedback{") === 0) { sendFeedback(button.title, button.payload); return; }
          sendText(button.title, button.payload);
        });
        group.appendChild(b);
      });
      row.appendChild(group);
    }
    log.appendChild(row);
  };
  var renderAll = function () {
    while (log.firstChild) { log.removeChild(log.firstChild); }
    renderEntry({ from: "bot", text: t("welcome") }, false); // not stored: texts may change
    renderEntry({ from: "bot", text: t("privacy_notice") }, false); // before the first message
    transcript.forEach(function (entry, index) { renderEntry(entry, index === transcript.length - 1); });
    log.scrollTop = log.scrollHeight;
  };
  var addEntry = function (entry) {
    var buttons = log.querySelectorAll(".tyw-button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    transcript.push(entry);
    if (transcript.length > MAX_TRANSCRIPT) { transcript = transcript.slice(-MAX_TRANSCRIPT); }
    store.set("transcript", transcript);
    renderEntry(entry, true);
    log.scrollTop = log.scrollHeight;
  };
  // the notice shown and why: connecting clears only the "offline" one, never a notice about
  // the user's own message (too long, rate limit) that they have not read yet
  var noticeKind = "";
  var showNotice = function (text, kind) {
    notice.textContent = text || "";
    notice.hidden = !text;
    noticeKind = text ? kind || "" : "";
  };
  var showOffline = function () { showNotice(t("offline"), "offline"); };

  // ---------- sending (NFC, length, rate limit) ----------
  var sentAt = [];
  var typingTimer = null;
  var setTyping = function (on) {
    typing.hidden = !on;
    if (typingTimer) { clearTimeout(typingTimer); typingTimer = null; }
    if (on) { typingTimer = setTimeout(function () { typing.hidden = true; }, 30000); }
  };
  var sendText = function (text, payload) {
    text = String(text || "").normalize("NFC").trim();
    if (!text) { return; }
    // a message that is not sent stays in the box, so nothing the user typed is lost
    if (!socket) { showOffline(); if (!payload) { input.value = text; } return; }
    if (!payload && text.length > config.maxChars) {
      showNotice(t("too_long").replace("{max_chars}", String(config.maxChars)));
      input.value = text;
      return;
    }
    var now = Date.now();
    sentAt = sentAt.filter(function (at) { return now - at < 60000; });
    if (sentAt.length >= config.ratePerMin) {
      showNotice(t("rate_limited"));
      if (!payload) { input.value = text; }
      return;
    }
    sentAt.push(now);
    showNotice("");
    addEntry({ from: "user", text: text });
    var metadata = { channel: "web", user_id: sessionId };
    if (config.roleToken) { metadata.role_token = config.roleToken; }
    socket.emit("user_uttered", {
      message: payload || text,
      session_id: sessionId,
      metadata: metadata,
      customData: metadata
    });
    setTyping(true);
  };

  // a 👍/👎 goes to the web app (stored with the turn), never to Rasa
  var sendFeedback = function (title, payload) {
    addEntry({ from: "user", text: title });
    fetch(base + "feedback", {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ payload: payload })
    }).then(function () { addEntry({ from: "bot", text: t("feedback_thanks") }); })
      .catch(showOffline);
  };

  // ---------- socket.io ----------
  var onBotMessage = function (message) {
    if (!message || typeof message !== "object") { return; }
    var data = message.data && typeof message.data === "object" ? message.data : message; // custom json
    var entry = { from: "bot" };
    if (typeof data.text === "string") { entry.text = data.text; }
    var buttons = data.quick_replies || data.buttons;
    if (Array.isArray(buttons)) {
      entry.buttons = buttons.filter(function (b) { return b && b.title && b.payload; })
        .map(function (b) { return { title: String(b.title), payload: String(b.payload) }; });
    }
    var image = data.image || (data.attachment && data.attachment.type === "image" &&
      data.attachment.payload && data.attachment.payload.src);
    if (typeof image === "string") { entry.image = image; }
    if (!entry.text && !entry.image && !(entry.buttons && entry.buttons.length)) { return; }
    setTyping(false);
    addEntry(entry);
  };
  var connect = function () {
    // ?sender= on every engine.io request: nginx pins the conversation to one Rasa replica
    socket = window.io(config.socketUrl, {
      path: config.socketPath, transports: config.transports, query: { sender: sessionId }
    });
    socket.on("connect", function () {
      if (noticeKind === "offline") { showNotice(""); }
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (confirmed) {
      var id = confirmed && typeof confirmed === "object" ? confirmed.session_id : confirmed;
      if (typeof id === "string" && id && id !== sessionId) { sessionId = id; store.set("session", id); }
      root.setAttribute("data-session", sessionId);
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("connect_error", showOffline);
    socket.on("disconnect", showOffline);
  };

  var loadScript = function (src, done) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.onload = done;
    tag.onerror = showOffline;
    document.head.appendChild(tag);
  };
  var start = function (loadedTexts) {
    texts = loadedTexts || {};
    buildUi();
    renderAll();
    if (window.io) { connect(); } else { loadScript(base + "vendor/socket.io.min.js", connect); }
  };

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base + "widget.css";
  document.head.appendChild(css);
  var boot = function () {
    fetch(base + "widget-messages.json", { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .catch(function () { return {}; })
      .then(start);
  };
  if (document.body) { boot(); } else { document.addEventListener("DOMContentLoaded", boot); }
})();
