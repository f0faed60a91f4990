// The playground page: polls /api/state and posts what a person does to /api/<action>.
// Block Kit HTML comes rendered (and escaped) by the server; everything else is built with
// DOM calls and textContent, so no text becomes markup here.
"use strict";

const ui = {
  user: localStorage.getItem("pg-user") || "U1",
  channel: null,
  tab: "messages",
  thread: null,
  shown: {},  // what each region last drew, to leave a form alone while someone types in it
  drawn: new Map(),  // each message's JSON and node, so a redraw rebuilds only what changed
};

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) node.append(child);
  return node;
}

function toast(message) {
  const box = $("pg-toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

async function post(action, body) {
  const response = await fetch(`/api/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: ui.user, ...body }),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: response.statusText }));
  if (!answer.ok) toast(answer.error || "That didn't work");
  await refresh();
  return answer;
}

async function refresh() {
  const query = new URLSearchParams({ user: ui.user, tab: ui.tab });
  if (ui.channel) query.set("channel", ui.channel);
  const response = await fetch(`/api/state?${query}`);
  if (!response.ok) return;
  const state = await response.json();
  ui.channel = state.channel;
  draw(state);
}

// -- drawing -----------------------------------------------------------------------------

function changed(region, value) {
  const key = JSON.stringify(value);
  if (ui.shown[region] === key) return false;
  ui.shown[region] = key;
  return true;
}

function draw(state) {
  $("pg-now").textContent = state.now_label;
  if (changed("people", [state.people, ui.user])) drawPeople(state.people);
  if (changed("sidebar", [state.conversations, ui.channel, ui.tab])) drawSidebar(state.conversations);
  const conversation = state.conversations.find((c) => c.id === state.channel);
  $("pg-title").textContent = ui.tab === "home" ? "mentorbot · Home"
    : conversation.kind === "channel" ? `#${conversation.name}` : conversation.name;
  $("pg-messages").hidden = ui.tab === "home";
  $("pg-composer").hidden = ui.tab === "home";
  $("pg-home").hidden = ui.tab !== "home";
  if (ui.tab === "home") {
    if (changed("home", state.home)) drawHome(state.home);
  } else if (changed("messages", [state.channel, state.messages])) {
    drawMessages(state.messages);
  }
  if (changed("modals", state.modals)) drawModals(state.modals);
}

function drawPeople(people) {
  const select = $("pg-who");
  select.replaceChildren(...people.map((p) => el("option", {
    value: p.id, textContent: `${p.name} (${p.role}, ${p.tz})`, selected: p.id === ui.user,
  })));
}

function drawSidebar(conversations) {
  const item = (c) => {
    const label = c.kind === "channel" ? `# ${c.name}` : c.name;
    const button = el("button", { type: "button", className: "pg-conv", textContent: label });
    button.dataset.channel = c.id;
    button.setAttribute("aria-current", String(ui.tab !== "home" && c.id === ui.channel));
    return el("li", {}, button);
  };
  $("pg-channels").replaceChildren(...conversations.filter((c) => c.kind === "channel").map(item));
  $("pg-dms").replaceChildren(...conversations.filter((c) => c.kind !== "channel").map(item));
  $("pg-home-tab").setAttribute("aria-current", String(ui.tab === "home"));
}

function messageNode(item) {
  const node = el("div", { className: `pg-item pg-${item.kind}` });
  node.dataset.surface = JSON.stringify(item.surface);
  const head = el("div", { className: "pg-head" },
    el("span", { className: "pg-author", textContent: item.author }));
  if (item.edited) head.append(el("span", { className: "pg-edited", textContent: "(edited)" }));
  if (item.kind !== "ephemeral") {
    const tools = el("span", { className: "pg-tools" });
    const reply = el("button", { type: "button", textContent: "Reply in thread" });
    reply.dataset.thread = item.thread_ts || item.ts;
    tools.append(reply);
    if (item.kind === "human") {
      const ask = el("button", { type: "button", textContent: "⋯ Ask for mentoring" });
      ask.dataset.shortcut = item.ts;
      tools.append(ask);
    }
    head.append(tools);
  }
  const body = el("div", { className: "pg-body" });
  body.innerHTML = item.html;  // rendered and escaped by playground/render.py
  node.append(head, body);
  if (item.replies.length) {
    node.append(el("div", { className: "pg-thread" }, ...item.replies.map(messageNode)));
  }
  return node;
}

function drawMessages(messages) {
  const box = $("pg-messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  // A long channel: keep the nodes of messages that didn't change (the new one, an edit or a
  // reply rebuilds only its own), so drawing costs the change, not the channel.
  const drawn = new Map();
  const nodes = messages.map((item) => {
    const key = `${ui.channel}:${item.kind}:${item.ts}`;
    const json = JSON.stringify(item);
    const old = ui.drawn.get(key);
    const node = old && old.json === json ? old.node : messageNode(item);
    drawn.set(key, { json, node });
    return node;
  });
  ui.drawn = drawn;
  if (!messages.length) {
    box.replaceChildren(el("p", { className: "pg-meta", textContent: "No messages yet." }));
  } else {
    // Move only what moved: a new message is one insertion, not a thousand.
    nodes.forEach((node, i) => {
      if (box.children[i] !== node) box.insertBefore(node, box.children[i] || null);
    });
    while (box.children.length > nodes.length) box.lastElementChild.remove();
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function drawHome(home) {
  const box = $("pg-home");
  if (!home) {
    box.replaceChildren(el("p", { className: "pg-meta", textContent: "Loading Home…" }));
    return;
  }
  const node = el("div", {});
  node.dataset.surface = JSON.stringify({ kind: "view", view_id: home.view_id });
  node.innerHTML = home.html;  // rendered and escaped by playground/render.py
  box.replaceChildren(node);
}

function drawModals(modals) {
  const box = $("pg-modals");
  box.hidden = modals.length === 0;
  box.replaceChildren(...modals.map((modal, index) => {
    const node = el("div", { className: "pg-modal", role: "dialog" });
    node.setAttribute("aria-modal", "true");
    node.style.top = `${40 + index * 16}px`;
    node.dataset.surface = JSON.stringify({ kind: "view", view_id: modal.view_id });
    node.innerHTML = modal.html;  // rendered and escaped by playground/render.py
    if (index < modals.length - 1) node.inert = true;  // only the top modal is live
    return node;
  }));
}

// -- what a person does ------------------------------------------------------------------

function formOf(node) {
  const form = node.closest("form");
  const values = {};
  if (!form) return values;
  const data = new FormData(form);
  for (const name of new Set(data.keys())) values[name] = data.getAll(name).map(String);
  return values;
}

function surfaceOf(node) {
  const holder = node.closest("[data-surface]");
  return holder ? JSON.parse(holder.dataset.surface) : null;
}

function act(root, extra) {
  const surface = surfaceOf(root);
  if (!surface) return;
  post("action", {
    surface,
    block_id: root.dataset.blockId,
    action_id: root.dataset.actionId,
    form: formOf(root),
    ...extra,
  });
}

function confirmed(root, send) {
  // A button with `confirm` shows its <dialog> and acts only on "confirm".
  const dialog = root.nextElementSibling;
  if (root.dataset.confirm === undefined || !dialog || !dialog.matches("dialog.bk-confirm")) {
    send();
    return;
  }
  dialog.onclick = (event) => {
    const role = event.target.closest("[data-role]")?.dataset.role;
    if (role === "confirm") { dialog.close(); send(); }
    if (role === "deny") dialog.close();
  };
  dialog.showModal();
}

document.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.id === "pg-home-tab") {
    ui.tab = "home";
    post("home", {});
  } else if (target.classList.contains("pg-conv")) {
    ui.tab = "messages";
    ui.channel = target.dataset.channel;
    ui.thread = null;
    $("pg-thread-note").hidden = true;
    refresh();
  } else if (target.classList.contains("pg-step")) {
    post("clock", { step: target.dataset.step });
  } else if (target.dataset.thread) {
    ui.thread = target.dataset.thread;
    $("pg-thread-note").hidden = false;
    $("pg-text").focus();
  } else if (target.id === "pg-thread-cancel") {
    ui.thread = null;
    $("pg-thread-note").hidden = true;
  } else if (target.dataset.shortcut) {
    post("shortcut", { channel: ui.channel, ts: target.dataset.shortcut });
  } else if (target.dataset.role === "close") {
    post("close", { view_id: surfaceOf(target).view_id });
  } else if (target.dataset.type === "button") {
    if (target.dataset.url) window.open(target.dataset.url, "_blank", "noopener");
    confirmed(target, () => act(target, {}));
  } else if (target.classList.contains("bk-overflow-option")) {
    const root = target.closest("[data-action-id]");
    root.open = false;
    if (target.dataset.url) window.open(target.dataset.url, "_blank", "noopener");
    act(root, { option: JSON.parse(target.dataset.option) });
  }
});

document.addEventListener("change", (event) => {
  if (event.target.id === "pg-who") {
    ui.user = event.target.value;
    localStorage.setItem("pg-user", ui.user);
    ui.shown = {};
    ui.drawn = new Map();
    // Until the new person's page arrives, nothing of the last one's can be clicked as them.
    for (const id of ["pg-channels", "pg-dms", "pg-messages", "pg-home", "pg-modals"]) {
      $(id).replaceChildren();
    }
    if (ui.tab === "home") post("home", {}); else refresh();
    return;
  }
  const root = event.target.closest("[data-action-id]");
  if (!root || !root.dataset.stateKey) return;
  // Inputs in a modal's input blocks only act when the bot asked (dispatch_action).
  const field = root.closest("fieldset.bk-input-field");
  if (field && field.dataset.dispatchAction === undefined) return;
  act(root, {});
});

document.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  if (form.id === "pg-composer") {
    const text = $("pg-text").value;
    if (!text.trim()) return;
    $("pg-text").value = "";
    post("send", { channel: ui.channel, text, thread_ts: ui.thread });
    return;
  }
  if (form.matches(".bk-view.bk-modal")) {
    post("submit", { view_id: surfaceOf(form).view_id, form: formOf(form) });
  }
});

$("pg-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("pg-composer").requestSubmit();
  }
});

refresh();
setInterval(refresh, 1000);
