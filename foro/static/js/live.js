/* The live session page, kept current over Socket.IO (progressive enhancement).

   Without this script the page works by plain forms. With it: the page joins the session's room, renders
   each snapshot and broadcast into its regions, and sends its forms over the socket while connected
   (falling back to the normal POST when not). When the socket cannot connect at all, the page asks
   estado.json every 15 seconds instead. Every text comes from the page (#live-i18n); user text is only
   ever set with textContent. */
(function () {
  "use strict";

  var root = document.getElementById("live-root");
  if (!root) {
    return;
  }
  var texts = JSON.parse(document.getElementById("live-i18n").textContent);
  var state = JSON.parse(document.getElementById("live-snapshot").textContent);
  var spaceId = parseInt(root.dataset.space, 10);
  var csrf = root.dataset.csrf;
  var participation = root.dataset.participation === "yes";
  var isOpen = root.dataset.open === "yes";
  var placeholder = texts.placeholder;
  var POLL_INTERVAL_MS = 15000;
  var CONNECT_GRACE_MS = 8000;

  var socket = null;
  var pollTimer = null;
  var graceTimer = null;
  var everConnected = false;
  var needsSnapshot = false;

  // --- small DOM helpers --------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === "text") {
        node.textContent = value;
      } else if (name === "className") {
        node.className = value;
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) {
        return;
      }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function replaceChildren(node, children) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
    children.forEach(function (child) {
      node.appendChild(child);
    });
  }

  function countText(n, one, many) {
    return n === 1 ? one : many.replace("{n}", String(n));
  }

  function urlFor(pattern, id) {
    return root.dataset[pattern].replace(placeholder, String(id));
  }

  function hiddenInput(name, value) {
    return el("input", { type: "hidden", name: name, value: value });
  }

  function postForm(action, live, dataAttrs, className, children) {
    var attrs = { method: "post", action: action, className: className || "inline-form", "data-live": live };
    Object.keys(dataAttrs).forEach(function (key) {
      attrs["data-" + key] = dataAttrs[key];
    });
    return el("form", attrs, [hiddenInput("csrf_token", csrf)].concat(children));
  }

  function button(label, className, name, value) {
    return el("button", { type: "submit", className: className || "button button-small", name: name, value: value, text: label });
  }

  function feedback(message) {
    var node = document.getElementById("live-feedback");
    node.textContent = message;
    node.hidden = !message;
  }

  function connectionNotice(message) {
    var node = document.getElementById("live-connection");
    node.textContent = message || "";
    node.hidden = !message;
  }

  // --- rendering (mirrors templates/live/_macros.html) --------------------------------------------

  function agendaTitles() {
    var titles = {};
    (state.agenda || []).forEach(function (item) {
      titles[item.id] = item.title;
    });
    return titles;
  }

  function questionNode(q, titles) {
    var viewer = state.viewer;
    var meta = el("p", { className: "card-meta" }, [
      el("span", { className: "live-author", text: q.author }),
      " · ",
      el("span", { className: "badge live-question-status", text: q.status_label }),
      " · ",
      el("span", { className: "live-upvotes", text: countText(q.upvotes, texts.upvotes_one, texts.upvotes_many) })
    ]);
    if (q.item && titles[q.item]) {
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(el("span", { className: "live-topic", text: texts.topic + " " + titles[q.item] }));
    }
    var children = [el("p", { className: "live-question-body", text: q.body }), meta];
    if (q.status === "pending" && !viewer.moderator) {
      children.push(el("p", { className: "live-awaiting", text: texts.pending }));
    }
    if (q.answer) {
      children.push(el("p", { className: "live-answer" }, [el("strong", { text: texts.answer }), " " + q.answer]));
    }
    if (q.status === "dismissed" && q.dismissal_reason) {
      children.push(el("p", { className: "live-dismissal", text: texts.dismissed_reason + " " + q.dismissal_reason }));
    }
    var upvotable = q.status === "approved" || q.status === "answering";
    if (participation && viewer.id && upvotable && !q.mine) {
      if ((viewer.upvoted || []).indexOf(q.id) !== -1) {
        children.push(el("p", { className: "live-upvoted", text: texts.upvoted }));
      } else {
        children.push(postForm(urlFor("urlUpvote", q.id), "upvote", { question: q.id }, null, [button(texts.upvote)]));
      }
    }
    if (viewer.moderator && participation && ["pending", "approved", "answering"].indexOf(q.status) !== -1) {
      children.push(moderationNode(q));
    }
    return el("li", { className: "live-question is-" + q.status, id: "pregunta-" + q.id, "data-question": q.id }, children);
  }

  function moderationNode(q) {
    var url = urlFor("urlModerate", q.id);
    var forms = [];
    var secondary = "button button-small button-secondary";
    if (q.status === "pending") {
      forms.push(postForm(url, "approve", { question: q.id }, null, [hiddenInput("decision", "approve"), button(texts.approve)]));
    }
    if (q.status === "approved" && isOpen) {
      forms.push(postForm(url, "answering", { question: q.id }, null, [
        hiddenInput("decision", "answering"), button(texts.answering, secondary)
      ]));
    }
    if ((q.status === "approved" || q.status === "answering") && isOpen) {
      forms.push(postForm(url, "answered", { question: q.id }, "live-inline-field", [
        hiddenInput("decision", "answered"),
        el("label", { "for": "resumen-" + q.id, text: texts.summary }),
        el("input", { type: "text", id: "resumen-" + q.id, name: "summary", maxlength: "2000" }),
        button(texts.answered, secondary)
      ]));
    }
    forms.push(postForm(url, "dismiss", { question: q.id }, "live-inline-field", [
      hiddenInput("decision", "dismiss"),
      el("label", { "for": "motivo-" + q.id, text: texts.reason }),
      el("input", { type: "text", id: "motivo-" + q.id, name: "reason", maxlength: "300" }),
      button(texts.dismiss, secondary)
    ]));
    return el("div", { className: "live-moderation" }, forms);
  }

  function pollNode(poll) {
    var viewer = state.viewer;
    var voted = (viewer.poll_votes || {})[String(poll.id)];
    var max = Math.max(poll.votes, 1);
    var options = poll.options.map(function (option) {
      return el("li", { "data-option": option.id }, [
        el("span", { className: "live-option-label", text: option.label }),
        " ",
        el("meter", { min: "0", max: String(max), value: String(option.votes) }),
        " ",
        el("span", { className: "live-option-votes", text: countText(option.votes, texts.votes_one, texts.votes_many) })
      ]);
    });
    var children = [
      el("h3", { className: "live-poll-question", text: poll.question }),
      el("p", { className: "card-meta" }, [
        el("span", { className: "badge", text: poll.status === "open" ? texts.poll_open : texts.poll_closed }),
        " · ",
        el("span", { className: "live-poll-total", text: countText(poll.votes, texts.votes_one, texts.votes_many) })
      ]),
      el("ul", { className: "live-poll-options" }, options)
    ];
    if (voted) {
      poll.options.forEach(function (option) {
        if (option.id === voted) {
          children.push(el("p", { className: "live-your-vote", text: texts.your_vote + " " + option.label }));
        }
      });
    } else if (viewer.id && isOpen && poll.status === "open") {
      children.push(postForm(urlFor("urlVote", poll.id), "poll_vote", { poll: poll.id }, "live-vote-form",
        poll.options.map(function (option) {
          return button(texts.vote + ": " + option.label, "button button-small button-secondary", "option", option.id);
        })));
    }
    if (viewer.moderator && isOpen && poll.status === "open") {
      children.push(postForm(urlFor("urlClose", poll.id), "close_poll", { poll: poll.id }, null, [
        button(texts.close_poll, "button button-small button-secondary")
      ]));
    }
    return el("li", { className: "live-poll is-" + poll.status, id: "encuesta-" + poll.id, "data-poll": poll.id }, children);
  }

  function commitmentNode(c) {
    var meta = el("p", { className: "card-meta" }, [
      texts.responsible + " " + c.organism + " · " + texts.due + " ",
      el("time", { datetime: c.due_on, text: c.due_label })
    ]);
    if (c.action) {
      meta.appendChild(document.createTextNode(" · " + texts.related_action + " "));
      meta.appendChild(el("a", { href: c.action.url, text: c.action.title }));
    }
    return el("li", { className: "live-commitment", id: "compromiso-" + c.id, "data-commitment": c.id }, [
      el("p", { className: "live-commitment-body", text: c.body }),
      meta,
      el("p", {}, [el("a", { href: c.tracking_url, text: texts.tracking })])
    ]);
  }

  function currentNodes(item) {
    if (!item) {
      return [el("p", { className: "empty", text: texts.no_current })];
    }
    var nodes = [el("h3", { className: "live-current-title", text: item.title })];
    if (item.notes) {
      nodes.push(el("p", { className: "live-current-notes", text: item.notes }));
    }
    if (item.action) {
      nodes.push(el("p", {}, [el("a", { href: item.action.url, text: texts.action_link + ": " + item.action.title })]));
    }
    return nodes;
  }

  function listInto(id, nodes, emptyText) {
    var list = document.getElementById(id);
    if (!list) {
      return;
    }
    // Keep what the person is typing in a form that is about to be rebuilt.
    var active = document.activeElement;
    var keep = active && list.contains(active) && active.id ? { id: active.id, value: active.value } : null;
    replaceChildren(list, nodes.length ? nodes : [el("li", { className: "empty", text: emptyText })]);
    if (keep) {
      var again = document.getElementById(keep.id);
      if (again) {
        again.value = keep.value;
        again.focus();
      }
    }
  }

  function render() {
    var titles = agendaTitles();
    var moderator = state.viewer.moderator;
    var publicStatuses = ["approved", "answering", "answered"];
    listInto("live-questions", state.questions.filter(function (q) {
      return publicStatuses.indexOf(q.status) !== -1 || !moderator;
    }).map(function (q) { return questionNode(q, titles); }), texts.no_questions);
    listInto("live-pending", state.questions.filter(function (q) {
      return q.status === "pending";
    }).map(function (q) { return questionNode(q, titles); }), texts.no_pending);
    listInto("live-polls", state.polls.map(pollNode), texts.no_polls);
    listInto("live-commitments", state.commitments.map(commitmentNode), texts.no_commitments);
    var present = document.getElementById("live-present");
    if (present) {
      present.textContent = String(state.present);
    }
    var current = document.getElementById("live-current");
    if (current) {
      replaceChildren(current, currentNodes(state.current));
    }
    var currentId = state.current ? state.current.id : null;
    Array.prototype.forEach.call(document.querySelectorAll(".live-agenda-item"), function (node) {
      var isCurrent = parseInt(node.dataset.item, 10) === currentId;
      node.classList.toggle("is-current", isCurrent);
      var badge = node.querySelector(".live-current-badge");
      if (badge) {
        badge.hidden = !isCurrent;
      }
    });
  }

  // --- the queue order of foro.services.live_sessions.snapshot ------------------------------------

  var RANK = { answering: 0, approved: 1, answered: 2, pending: 3, dismissed: 4 };

  function sortQuestions() {
    state.questions.sort(function (a, b) {
      var rank = RANK[a.status] - RANK[b.status];
      if (rank !== 0) {
        return rank;
      }
      if (a.status === "approved") {
        return b.upvotes - a.upvotes || a.id - b.id;
      }
      if (a.status === "answered") {
        return b.id - a.id;
      }
      return a.id - b.id;
    });
  }

  function upsert(list, item) {
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].id === item.id) {
        list[i] = Object.assign({}, list[i], item);
        return;
      }
    }
    list.push(item);
  }

  // --- snapshot and broadcasts --------------------------------------------------------------------

  function applySnapshot(snapshot) {
    if (!snapshot) {
      return;
    }
    if (snapshot.state !== state.state) {
      // Announced, open and closed pages differ in structure: load the page for the new state.
      window.location.reload();
      return;
    }
    state = snapshot;
    needsSnapshot = false;
    render();
  }

  function askSnapshot() {
    if (socket && socket.connected) {
      socket.emit("snapshot", { space: spaceId }, function (ack) {
        if (ack && ack.ok) {
          applySnapshot(ack.snapshot);
        }
      });
    } else {
      fetchState();
    }
  }

  function fresh(data) {
    // A gap in revisions means a broadcast was missed (another room's, or a message queue outage).
    if (typeof data.revision !== "number") {
      return true;
    }
    if (data.revision > state.revision + 1) {
      askSnapshot();
      return false;
    }
    state.revision = Math.max(state.revision, data.revision);
    return true;
  }

  var handlers = {
    question: function (data) {
      if (data.status === "dismissed" && data.body === undefined) {
        state.questions = state.questions.filter(function (q) { return q.id !== data.id; });
      } else {
        upsert(state.questions, data);
      }
      sortQuestions();
    },
    poll: function (data) {
      upsert(state.polls, data);
      state.polls.sort(function (a, b) { return b.id - a.id; });
    },
    commitment: function (data) {
      upsert(state.commitments, data);
    },
    agenda: function (data) {
      state.current = data.current;
    },
    presence: function (data) {
      state.present = data.present;
    }
  };

  function onBroadcast(event, data) {
    if (!data || data.space !== spaceId) {
      return;
    }
    if (event === "session") {
      if (data.state !== state.state) {
        window.location.reload();
      }
      return;
    }
    if (!fresh(data)) {
      return;
    }
    handlers[event](data);
    render();
  }

  // --- the fallback: estado.json every 15 seconds -------------------------------------------------

  function fetchState() {
    return fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(applySnapshot)
      .catch(function () { /* the next round tries again */ });
  }

  function startPolling() {
    if (pollTimer === null) {
      pollTimer = window.setInterval(fetchState, POLL_INTERVAL_MS);
    }
    root.dataset.connection = "polling";
    connectionNotice(texts.offline);
  }

  function stopPolling() {
    if (pollTimer !== null) {
      window.clearInterval(pollTimer);
      pollTimer = null;
    }
  }

  // --- forms over the socket ----------------------------------------------------------------------

  function optionalInt(value) {
    var number = parseInt(value, 10);
    return isNaN(number) ? null : number;
  }

  function field(form, name) {
    var input = form.elements.namedItem(name);
    return input ? input.value : "";
  }

  function payloadFor(form, submitter) {
    var kind = form.dataset.live;
    var payload = { space: spaceId };
    var question = optionalInt(form.dataset.question);
    var poll = optionalInt(form.dataset.poll);
    switch (kind) {
      case "ask":
        payload.body = field(form, "body");
        payload.item = optionalInt(field(form, "item"));
        break;
      case "upvote":
      case "approve":
      case "answering":
        payload.question = question;
        break;
      case "dismiss":
        payload.question = question;
        payload.reason = field(form, "reason");
        break;
      case "answered":
        payload.question = question;
        payload.summary = field(form, "summary");
        break;
      case "poll_vote":
        if (!submitter || !submitter.value) {
          return null;
        }
        payload.poll = poll;
        payload.option = optionalInt(submitter.value);
        break;
      case "close_poll":
        payload.poll = poll;
        break;
      case "advance":
        payload.position = optionalInt(field(form, "position"));
        break;
      case "launch_poll":
        payload.question = field(form, "question");
        payload.options = Array.prototype.filter.call(form.elements, function (input) {
          return /^options-\d+$/.test(input.name) && input.value.trim() !== "";
        }).map(function (input) { return input.value.trim(); });
        payload.item = optionalInt(field(form, "item"));
        break;
      case "commit":
        payload.body = field(form, "body");
        payload.organism = optionalInt(field(form, "organism"));
        payload.due_on = field(form, "due_on");
        payload.action = optionalInt(field(form, "action"));
        break;
      default:
        return null;
    }
    return payload;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.live || !socket || !socket.connected) {
      return; // the normal POST
    }
    var payload = payloadFor(form, event.submitter);
    if (payload === null) {
      return;
    }
    event.preventDefault();
    var kind = form.dataset.live;
    var buttons = form.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    socket.timeout(15000).emit(kind, payload, function (timeoutError, ack) {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      if (timeoutError) {
        feedback(texts.failed);
        return;
      }
      if (!ack || !ack.ok) {
        feedback((ack && ack.error) || texts.failed);
        return;
      }
      feedback(kind === "ask" ? texts.asked : texts.done);
      if (form.isConnected && ["ask", "launch_poll", "commit"].indexOf(kind) !== -1) {
        form.reset();
      }
      askSnapshot();
    });
  });

  // --- the connection -----------------------------------------------------------------------------

  function join() {
    socket.emit("join", { space: spaceId }, function (ack) {
      if (ack && ack.ok) {
        root.dataset.connection = "live";
        applySnapshot(ack.snapshot);
      }
    });
  }

  function connect() {
    if (typeof window.io !== "function") {
      startPolling();
      return;
    }
    socket = window.io();
    graceTimer = window.setTimeout(function () {
      if (!socket.connected) {
        startPolling();
      }
    }, CONNECT_GRACE_MS);
    socket.on("connect", function () {
      window.clearTimeout(graceTimer);
      stopPolling();
      connectionNotice(everConnected ? texts.connected : "");
      everConnected = true;
      // After a reconnect, join again: the room and the missed changes come back with the snapshot.
      join();
    });
    socket.on("disconnect", function () {
      root.dataset.connection = "lost";
      connectionNotice(texts.reconnecting);
      needsSnapshot = true;
    });
    socket.on("connect_error", function () {
      if (!everConnected) {
        startPolling();
      }
    });
    socket.on("live_error", function (data) {
      if (data && data.error) {
        feedback(data.error);
      }
    });
    Object.keys(handlers).concat(["session"]).forEach(function (event) {
      socket.on(event, function (data) {
        if (needsSnapshot) {
          askSnapshot();
          return;
        }
        onBroadcast(event, data);
      });
    });
  }

  connect();
})();
