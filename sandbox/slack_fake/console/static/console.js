// The sandbox console: a simplified Slack client over the fake Slack's state.
// Every piece of text is put on the page with textContent (never innerHTML), so nothing a
// message says can become markup.
"use strict";

const POLL_MS = 1000;
const EMOJI = {
  white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", warning: "⚠️", no_entry: "⛔",
  no_entry_sign: "🚫", moneybag: "💰", money_with_wings: "💸", dollar: "💵", bank: "🏦",
  credit_card: "💳", receipt: "🧾", tada: "🎉", hourglass: "⌛", hourglass_flowing_sand: "⏳",
  link: "🔗", lock: "🔒", key: "🔑", wave: "👋", rotating_light: "🚨", information_source: "ℹ️",
  exclamation: "❗", question: "❓", arrows_counterclockwise: "🔄", leftwards_arrow_with_hook: "↩️",
  chart_with_upwards_trend: "📈", bar_chart: "📊", bell: "🔔", eyes: "👀", thumbsup: "👍",
  "+1": "👍", large_green_circle: "🟢", red_circle: "🔴", large_yellow_circle: "🟡",
  white_circle: "⚪", busts_in_silhouette: "👥", bust_in_silhouette: "👤", email: "📧",
  envelope: "✉️", calendar: "📅", date: "📅", page_facing_up: "📄", shield: "🛡️", stop_sign: "🛑",
  handshake: "🤝", rocket: "🚀", sparkles: "✨", mag: "🔍", memo: "📝", scales: "⚖️",
  hammer_and_wrench: "🛠️", construction: "🚧", pushpin: "📌", zap: "⚡", star: "⭐",
  heavy_plus_sign: "➕", heavy_minus_sign: "➖", arrow_right: "➡️", clipboard: "📋",
  package: "📦", shopping_trolley: "🛒", store: "🏪", convenience_store: "🏪", office: "🏢",
};

const ui = {
  me: localStorage.getItem("console.me") || "",
  channel: localStorage.getItem("console.channel") || "",
  tab: "messages",
  snapshot: null,
  rendered: { messages: "", home: "", modal: "" },
  seen: JSON.parse(localStorage.getItem("console.seen") || "{}"),
  modalValues: {},
};

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// Slack text arrives with &, < and > escaped; show the characters they stand for.
function unescapeSlack(text) {
  return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emojify(text) {
  return text.replace(/:([a-z0-9_+\-]+):/g, (all, name) => EMOJI[name] || all);
}

function nameOf(userId) {
  const names = (ui.snapshot && ui.snapshot.names) || {};
  if (ui.snapshot && userId === ui.snapshot.bot.id) return ui.snapshot.bot.name;
  return names[userId] || userId;
}

// `<#C123>` shows the channel's name, as Slack's client does ("Linking to channels":
// https://docs.slack.dev/messaging/formatting-message-text/); one the person cannot see keeps its id.
function channelNameOf(channelId) {
  const channels = (ui.snapshot && ui.snapshot.channels) || [];
  const found = channels.find((c) => c.id === channelId && c.kind !== "dm" && c.kind !== "app");
  return found ? found.name : channelId;
}

function safeUrl(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : null;
}

// ---- mrkdwn ---------------------------------------------------------------------------------

const INLINE = new RegExp(
  [
    "(`[^`\\n]+`)", // code
    "(<[^<>\\n]+>)", // links, mentions, channels, specials
    "((?<![\\w*])\\*(?!\\s)[^*\\n]+?(?<!\\s)\\*(?![\\w*]))", // bold
    "((?<![\\w_])_(?!\\s)[^_\\n]+?(?<!\\s)_(?![\\w_]))", // italic
    "((?<![\\w~])~(?!\\s)[^~\\n]+?(?<!\\s)~(?![\\w~]))", // strike
  ].join("|"),
  "g",
);

function angleToken(token) {
  const inner = token.slice(1, -1);
  const [target, label] = inner.split(/\|(.*)/s);
  if (target.startsWith("@")) {
    return el("span", "mention", "@" + nameOf(target.slice(1)));
  }
  if (target.startsWith("#")) {
    return el("span", "mention channel-mention", "#" + (label || channelNameOf(target.slice(1))));
  }
  if (target.startsWith("!")) {
    const special = target.slice(1).split("^")[0];
    if (["here", "channel", "everyone"].includes(special)) return el("span", "mention", "@" + special);
    return document.createTextNode(unescapeSlack(label || special));
  }
  const url = safeUrl(unescapeSlack(target));
  if (!url) return document.createTextNode(unescapeSlack(label || target));
  const link = el("a", "link", unescapeSlack(label || target));
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  return link;
}

function appendInline(parent, text) {
  let last = 0;
  INLINE.lastIndex = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.append(emojify(unescapeSlack(text.slice(last, match.index))));
    const token = match[0];
    if (match[1]) parent.append(el("code", "inline-code", unescapeSlack(token.slice(1, -1))));
    else if (match[2]) parent.append(angleToken(token));
    else {
      const tag = match[3] ? "strong" : match[4] ? "em" : "s";
      const wrapper = el(tag);
      appendInline(wrapper, token.slice(1, -1));
      parent.append(wrapper);
    }
    last = match.index + token.length;
  }
  if (last < text.length) parent.append(emojify(unescapeSlack(text.slice(last))));
}

function mrkdwn(text) {
  const root = el("div", "mrkdwn");
  const parts = String(text || "").split(/```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      root.append(el("pre", "code-block", unescapeSlack(part.replace(/^\n/, ""))));
      return;
    }
    const lines = part.split("\n");
    lines.forEach((line, j) => {
      const quoted = /^(&gt;|>) ?/.exec(line);
      if (quoted) {
        const quote = el("blockquote");
        appendInline(quote, line.slice(quoted[0].length));
        root.append(quote);
        return;
      }
      appendInline(root, line);
      if (j < lines.length - 1) root.append(el("br"));
    });
  });
  return root;
}

function textObject(obj) {
  if (!obj) return el("span");
  if (obj.type === "mrkdwn") return mrkdwn(obj.text);
  return el("span", "plain", obj.emoji === false ? obj.text : emojify(obj.text || ""));
}

function plain(obj) {
  return obj ? emojify(String(obj.text || "")) : "";
}

// ---- Block Kit ------------------------------------------------------------------------------

// `where` says where an interaction came from: {message: {channel, ts}} or {view: {id}}.
function renderBlocks(blocks, where) {
  const container = el("div", "blocks");
  for (const block of blocks || []) container.append(renderBlock(block, where));
  return container;
}

function renderBlock(block, where) {
  switch (block.type) {
    case "section": return section(block, where);
    case "header": return el("div", "block header-block", plain(block.text));
    case "divider": return el("hr", "block divider");
    case "context": return context(block);
    case "image": return imageBlock(block);
    case "actions": return actionsBlock(block, where);
    case "input": return inputBlock(block, where);
    case "rich_text": return el("div", "block section", richTextOf(block));
    default: return el("div", "block unsupported", `[${block.type} block]`);
  }
}

function richTextOf(block) {
  const words = [];
  const walk = (node) => {
    if (!node || typeof node !== "object") return;
    if (typeof node.text === "string") words.push(node.text);
    if (node.type === "user") words.push("@" + nameOf(node.user_id));
    (node.elements || []).forEach(walk);
  };
  walk(block);
  return words.join("");
}

function section(block, where) {
  const node = el("div", "block section");
  const body = el("div", "section-body");
  if (block.text) body.append(textObject(block.text));
  if (block.fields) {
    const fields = el("div", "fields");
    for (const field of block.fields) {
      const cell = el("div", "field");
      cell.append(textObject(field));
      fields.append(cell);
    }
    body.append(fields);
  }
  node.append(body);
  if (block.accessory) {
    const accessory = el("div", "accessory");
    accessory.append(element(block.accessory, block.block_id, where));
    node.append(accessory);
  }
  return node;
}

function context(block) {
  const node = el("div", "block context");
  for (const item of block.elements || []) {
    if (item.type === "image") {
      const img = el("img", "context-image");
      img.src = item.image_url;
      img.alt = item.alt_text || "";
      node.append(img);
    } else {
      node.append(textObject(item));
    }
  }
  return node;
}

function imageBlock(block) {
  const node = el("figure", "block image-block");
  if (block.title) node.append(el("figcaption", null, plain(block.title)));
  const img = el("img");
  img.src = block.image_url;
  img.alt = block.alt_text || "";
  node.append(img);
  return node;
}

function actionsBlock(block, where) {
  const node = el("div", "block actions");
  for (const item of block.elements || []) node.append(element(item, block.block_id, where));
  return node;
}

function element(item, blockId, where) {
  if (item.type === "button") return button(item, blockId, where);
  if (item.type === "static_select" || item.type === "overflow") {
    return staticSelect(item, blockId, where, false);
  }
  if (item.type === "image") {
    const img = el("img", "accessory-image");
    img.src = item.image_url;
    img.alt = item.alt_text || "";
    return img;
  }
  return el("span", "unsupported", `[${item.type}]`);
}

function button(item, blockId, where) {
  const node = el("button", "btn" + (item.style ? " " + item.style : ""), plain(item.text));
  node.type = "button";
  if (item.url) node.classList.add("url-button");
  node.addEventListener("click", () => {
    const url = item.url && safeUrl(item.url);
    if (url) window.open(url, "_blank", "noopener");
    sendAction(where, { action_id: item.action_id, block_id: blockId, value: item.value ?? null });
  });
  return node;
}

function optionsOf(item) {
  const options = [...(item.options || [])];
  for (const group of item.option_groups || []) options.push(...(group.options || []));
  return options;
}

// A static select; inside an input block (`asInput`) it only holds a value for submission.
function staticSelect(item, blockId, where, asInput, current) {
  const select = el("select", "select");
  select.dataset.actionId = item.action_id || "";
  const placeholder = el("option", null, item.type === "overflow" ? "⋯" : plain(item.placeholder) || "Select an item");
  placeholder.value = "";
  select.append(placeholder);
  for (const option of optionsOf(item)) {
    const opt = el("option", null, plain(option.text));
    opt.value = option.value;
    select.append(opt);
  }
  const initial = current !== undefined ? current : item.initial_option ? item.initial_option.value : "";
  select.value = initial || "";
  if (!asInput) {
    select.addEventListener("change", () => {
      if (select.value === "") return;
      sendAction(where, { action_id: item.action_id, block_id: blockId, value: select.value });
    });
  }
  return select;
}

function inputBlock(block, where) {
  const node = el("div", "block input-block");
  node.dataset.blockId = block.block_id;
  const label = el("label", "input-label", plain(block.label));
  if (block.optional) label.append(el("span", "optional", " (optional)"));
  node.append(label);
  const item = block.element || {};
  const saved = ((ui.modalValues[where.view && where.view.id] || {})[block.block_id] || {})[item.action_id];
  let control;
  if (item.type === "plain_text_input") {
    control = el(item.multiline ? "textarea" : "input", "text-input");
    control.value = saved !== undefined ? saved || "" : item.initial_value || "";
    if (item.placeholder) control.placeholder = plain(item.placeholder);
    if (item.max_length) control.maxLength = item.max_length;
    if (block.dispatch_action) {
      control.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !item.multiline) {
          event.preventDefault();
          sendAction(where, { action_id: item.action_id, block_id: block.block_id, value: control.value });
        }
      });
    }
  } else if (item.type === "static_select") {
    control = staticSelect(item, block.block_id, where, true, saved);
    if (block.dispatch_action) {
      control.addEventListener("change", () =>
        sendAction(where, { action_id: item.action_id, block_id: block.block_id, value: control.value || null }));
    }
  } else {
    control = el("div", "unsupported", `[${item.type} input]`);
  }
  control.dataset.actionId = item.action_id || "";
  control.classList.add("input-control");
  label.htmlFor = control.id = `input-${block.block_id}`;
  node.append(control);
  if (block.hint) node.append(el("div", "hint-text", plain(block.hint)));
  node.append(el("div", "input-error"));
  return node;
}

// ---- talking to the console's routes --------------------------------------------------------

async function post(path, body) {
  try {
    const resp = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: ui.me, ...body }),
    });
    const answer = resp.headers.get("Content-Type")?.includes("json")
      ? await resp.json()
      : { ok: resp.ok, error: await resp.text() };
    if (!answer.ok && answer.error) notice(answer.error);
    return answer;
  } catch (error) {
    notice("The sandbox is not answering: is `connectbot sandbox` still running?");
    return { ok: false };
  } finally {
    soon();
  }
}

function modalInputs(viewId) {
  const values = {};
  for (const block of document.querySelectorAll("#modal-body .input-block, #home .input-block")) {
    const control = block.querySelector(".input-control");
    if (!control || !control.dataset.actionId) continue;
    const value = control.value === "" ? null : control.value;
    values[block.dataset.blockId] = { [control.dataset.actionId]: value };
  }
  if (viewId) ui.modalValues[viewId] = values;
  return values;
}

function sendAction(where, action) {
  if (where.view) {
    return post("/console/api/action", { ...action, view_id: where.view.id, values: modalInputs(where.view.id) });
  }
  return post("/console/api/action", { ...action, channel: where.message.channel, ts: where.message.ts });
}

function notice(text) {
  const box = $("notice");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// ---- rendering the page ---------------------------------------------------------------------

function renderPeople(snapshot) {
  const who = $("who");
  const signature = JSON.stringify(snapshot.people);
  if (who.dataset.signature !== signature) {
    who.replaceChildren(...snapshot.people.map((p) => {
      const opt = el("option", null, p.title ? `${p.real_name} (${p.title})` : p.real_name);
      opt.value = p.id;
      return opt;
    }));
    who.dataset.signature = signature;
  }
  if (!snapshot.people.some((p) => p.id === ui.me) && snapshot.people.length) {
    ui.me = snapshot.people[0].id;
  }
  who.value = ui.me;
}

function conversationItem(conv, snapshot) {
  const item = el("li");
  const link = el("button", "conversation" + (conv.id === ui.channel ? " active" : ""));
  link.type = "button";
  link.dataset.channel = conv.id;
  const prefix = { app: "●", dm: "@", private: "🔒" }[conv.kind] || "#";
  link.append(el("span", "prefix", prefix), el("span", "name", conv.name));
  const count = (snapshot.messages[conv.id] || []).length;
  const unread = count - (ui.seen[`${ui.me}:${conv.id}`] ?? count);
  if (unread > 0 && conv.id !== ui.channel) {
    link.classList.add("unread");
    link.append(el("span", "badge", String(unread)));
  }
  link.addEventListener("click", () => selectChannel(conv.id));
  item.append(link);
  return item;
}

function renderSidebar(snapshot) {
  const channels = snapshot.channels.filter((c) => c.kind !== "app" && c.kind !== "dm");
  const dms = snapshot.channels.filter((c) => c.kind === "dm");
  const apps = snapshot.channels.filter((c) => c.kind === "app");
  $("channels").replaceChildren(...channels.map((c) => conversationItem(c, snapshot)));
  $("dms").replaceChildren(...dms.map((c) => conversationItem(c, snapshot)));
  $("apps").replaceChildren(...apps.map((c) => conversationItem(c, snapshot)));
}

// How a conversation is named in the header and the composer: #ops, 🔒 vendor-lounge, Vera.
function titleOf(conv) {
  if (conv.kind === "app" || conv.kind === "dm") return conv.name;
  return (conv.kind === "private" ? "🔒 " : "# ") + conv.name;
}

function currentConversation(snapshot) {
  return snapshot.channels.find((c) => c.id === ui.channel) || snapshot.channels[0];
}

function avatar(userId, snapshot) {
  const isBot = userId === snapshot.bot.id;
  const name = nameOf(userId);
  const initials = isBot ? "cb" : name.split(/\s+/).map((w) => w[0] || "").join("").slice(0, 2).toUpperCase();
  const node = el("div", "avatar" + (isBot ? " bot" : ""), initials);
  let hash = 0;
  for (const ch of userId) hash = (hash * 31 + ch.charCodeAt(0)) % 360;
  if (!isBot) node.style.backgroundColor = `hsl(${hash}, 45%, 45%)`;
  return node;
}

function timeOf(ts) {
  const date = new Date(parseFloat(ts) * 1000);
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function renderMessage(message, channel, snapshot) {
  const node = el("article", "message" + (message.ephemeral ? " ephemeral" : ""));
  node.dataset.ts = message.ts;
  if (message.ephemeral) {
    const note = el("div", "only-you", "Only visible to you");
    node.append(note);
  }
  const row = el("div", "message-row");
  row.append(avatar(message.user || snapshot.bot.id, snapshot));
  const body = el("div", "message-body");
  const meta = el("div", "meta");
  meta.append(el("span", "author", nameOf(message.user || snapshot.bot.id)));
  if (message.bot_id) meta.append(el("span", "app-badge", "APP"));
  meta.append(el("time", "time", timeOf(message.ts)));
  if (message.edited) meta.append(el("span", "edited", "(edited)"));
  body.append(meta);
  const where = { message: { channel, ts: message.ts } };
  if (message.blocks && message.blocks.length) body.append(renderBlocks(message.blocks, where));
  else body.append(mrkdwn(message.text));
  for (const file of message.files || []) body.append(renderFile(file));
  row.append(body);
  node.append(row);
  return node;
}

// A shared file, as Slack shows it under its message: its title over its file name, type and
// size, and a download link.
function renderFile(file) {
  const card = el("div", "file-card");
  const icon = el("span", "file-icon", (file.filetype || "file").toUpperCase().slice(0, 4));
  const about = el("div", "file-about");
  about.append(el("div", "file-name", file.title || file.name));
  const kind = (file.filetype || "").toUpperCase();
  about.append(el("div", "file-meta", [file.name, kind, sizeText(file.size)].filter(Boolean).join(" · ")));
  card.append(icon, about);
  const link = el("a", "file-download", "Download");
  link.href = file.url_private_download;
  link.setAttribute("download", file.name);
  card.append(link);
  return card;
}

function sizeText(bytes) {
  if (typeof bytes !== "number") return "";
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function renderMessages(snapshot, conv) {
  const list = snapshot.messages[conv.id] || [];
  const signature = JSON.stringify([ui.me, conv.id, list, snapshot.names]);
  ui.seen[`${ui.me}:${conv.id}`] = list.length;
  localStorage.setItem("console.seen", JSON.stringify(ui.seen));
  if (signature === ui.rendered.messages) return;
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const switched = !ui.rendered.messages.startsWith(JSON.stringify([ui.me, conv.id]).slice(0, -1));
  ui.rendered.messages = signature;
  if (!list.length) {
    const empty = el("div", "empty");
    const direct = conv.kind === "app" || conv.kind === "dm";
    empty.append(el("strong", null, direct ? `This is your conversation with ${conv.name}.` : `This is the very beginning of ${titleOf(conv)}.`));
    empty.append(el("div", null, "Type a slash command below; replies and messages show up here."));
    box.replaceChildren(empty);
    return;
  }
  box.replaceChildren(...list.map((m) => renderMessage(m, conv.id, snapshot)));
  if (atBottom || switched) box.scrollTop = box.scrollHeight;
}

function renderHome(snapshot) {
  const home = snapshot.home;
  const signature = JSON.stringify([ui.me, home, snapshot.names]);
  if (signature === ui.rendered.home) return;
  ui.rendered.home = signature;
  const box = $("home");
  if (!home) {
    box.replaceChildren(el("div", "empty", `${snapshot.bot.name} has not published a Home tab for you yet.`));
    return;
  }
  box.replaceChildren(renderBlocks(home.blocks, { view: { id: home.id } }));
}

function renderHeader(conv) {
  const isApp = conv.kind === "app";
  $("channel-title").textContent = titleOf(conv);
  $("tabs").hidden = !isApp;
  if (!isApp) ui.tab = "messages";
  for (const tab of document.querySelectorAll(".tab")) {
    tab.classList.toggle("active", tab.dataset.tab === ui.tab);
  }
  const showHome = isApp && ui.tab === "home";
  $("home").hidden = !showHome;
  $("messages").hidden = showHome;
  $("composer").hidden = showHome;
  $("message-box").placeholder = `Message ${titleOf(conv).replace("# ", "#")}`;
}

function renderModal(snapshot) {
  const view = snapshot.modal;
  const overlay = $("modal-overlay");
  if (!view) {
    overlay.hidden = true;
    ui.rendered.modal = "";
    return;
  }
  const signature = JSON.stringify([ui.me, view.id, view.hash, snapshot.names]);
  if (signature === ui.rendered.modal) return;
  if (ui.rendered.modal && !overlay.hidden) modalInputs(ui.modalViewId);
  ui.rendered.modal = signature;
  ui.modalViewId = view.id;
  $("modal-title").textContent = plain(view.title);
  $("modal-error").hidden = true;
  $("modal-body").replaceChildren(renderBlocks(view.blocks, { view: { id: view.id } }));
  $("modal-close").textContent = view.close ? plain(view.close) : "Cancel";
  $("modal-submit").hidden = !view.submit;
  $("modal-submit").textContent = view.submit ? plain(view.submit) : "Submit";
  overlay.hidden = false;
}

function render() {
  const snapshot = ui.snapshot;
  if (!snapshot) return;
  $("team").textContent = snapshot.team;
  renderPeople(snapshot);
  const conv = currentConversation(snapshot);
  ui.channel = conv.id;
  renderSidebar(snapshot);
  renderHeader(conv);
  if (ui.tab === "home" && conv.kind === "app") renderHome(snapshot);
  else renderMessages(snapshot, conv);
  renderModal(snapshot);
}

async function poll() {
  try {
    const resp = await fetch(`/console/api/state?user=${encodeURIComponent(ui.me)}`);
    if (resp.ok) {
      ui.snapshot = await resp.json();
      render();
    }
  } catch (error) {
    notice("The sandbox is not answering: is `connectbot sandbox` still running?");
  }
}

// After an action, look again soon instead of waiting for the next tick.
function soon() {
  for (const delay of [150, 400, 800]) setTimeout(poll, delay);
}

function selectChannel(channelId) {
  ui.channel = channelId;
  localStorage.setItem("console.channel", channelId);
  const conv = ui.snapshot && ui.snapshot.channels.find((c) => c.id === channelId);
  if (conv && conv.kind !== "app") ui.tab = "messages";
  ui.rendered.messages = "";
  render();
  $("message-box").focus();
}

function selectTab(tab) {
  ui.tab = tab;
  ui.rendered.home = "";
  if (tab === "home") post("/console/api/home", {});
  render();
}

async function submitModal(event) {
  event.preventDefault();
  const viewId = ui.modalViewId;
  const values = modalInputs(viewId);
  for (const box of document.querySelectorAll("#modal-body .input-error")) box.textContent = "";
  $("modal-submit").disabled = true;
  const answer = await post("/console/api/submit", { view_id: viewId, values });
  $("modal-submit").disabled = false;
  if (answer.errors) {
    for (const [blockId, message] of Object.entries(answer.errors)) {
      const block = document.querySelector(`#modal-body .input-block[data-block-id="${CSS.escape(blockId)}"]`);
      const target = block ? block.querySelector(".input-error") : $("modal-error");
      target.textContent = message;
      target.hidden = false;
    }
  } else if (!answer.ok) {
    $("modal-error").textContent = answer.error || "Something went wrong.";
    $("modal-error").hidden = false;
  } else if (answer.closed) {
    $("modal-overlay").hidden = true;
    ui.rendered.modal = "";
  }
}

async function closeModal() {
  const viewId = ui.modalViewId;
  $("modal-overlay").hidden = true;
  ui.rendered.modal = "";
  await post("/console/api/close", { view_id: viewId });
}

async function sendMessage(event) {
  event.preventDefault();
  const box = $("message-box");
  const text = box.value.trim();
  if (!text) return;
  box.value = "";
  await post("/console/api/message", { channel: ui.channel, text });
}

function start() {
  $("who").addEventListener("change", () => {
    ui.me = $("who").value;
    localStorage.setItem("console.me", ui.me);
    ui.rendered = { messages: "", home: "", modal: "" };
    if (ui.tab === "home") post("/console/api/home", {});
    poll();
  });
  $("composer").addEventListener("submit", sendMessage);
  $("modal-body").addEventListener("submit", submitModal);
  $("modal-close").addEventListener("click", closeModal);
  $("modal-x").addEventListener("click", closeModal);
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => selectTab(tab.dataset.tab));
  }
  poll();
  setInterval(poll, POLL_MS);
}

start();
