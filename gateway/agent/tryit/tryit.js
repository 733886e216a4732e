// The /tryit/ demo: JsSIP over the gateway's own WSS (same host and port as this page), audio only.
// State is mirrored into data attributes (body[data-call-state], …) for tests and screenshots.
(function () {
  "use strict";
  var JsSIP = window.JsSIP;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var ua = null;
  var session = null;
  var registered = false;
  var lastSession = null;
  // For tests and curious users (browser console): the current or last call's RTCPeerConnection.
  window.rtcgwTryit = {
    peerConnection: function () {
      return lastSession && lastSession.connection;
    },
  };
  var domain = location.hostname;

  function show(id, text) {
    $(id).textContent = text;
    document.body.dataset[
      id.replace(/-(\w)/g, function (_, c) {
        return c.toUpperCase();
      })
    ] = text;
  }
  function setCallState(state) {
    show("call-state", state);
    document.body.dataset.callState = state;
    $("hangup").disabled = !session;
    $("call").disabled = Boolean(session);
  }
  function showError(message) {
    var box = $("error");
    box.hidden = !message;
    box.textContent = message || "";
  }

  // The SIP URI to dial: a full sip: URI as typed, otherwise user@domain.
  function targetUri(text) {
    text = text.trim();
    if (/^sips?:/i.test(text)) return text;
    if (text.indexOf("@") >= 0) return "sip:" + text;
    return "sip:" + text + "@" + domain;
  }

  function startUa(uri, password) {
    if (ua) ua.stop();
    registered = false;
    var socket = new JsSIP.WebSocketInterface("wss://" + location.host + "/");
    var anonymous = !uri;
    ua = new JsSIP.UA({
      sockets: [socket],
      uri: anonymous ? "sip:anonymous@" + domain : uri,
      password: password || undefined,
      register: !anonymous,
      session_timers: false,
      user_agent: "rtcgw-tryit",
    });
    ua.on("connecting", function () {
      show("connection-state", "connecting");
    });
    ua.on("connected", function () {
      show("connection-state", "connected");
    });
    ua.on("disconnected", function (e) {
      show("connection-state", "disconnected" + (e && e.error ? " (error)" : ""));
    });
    ua.on("registered", function () {
      registered = true;
      show("registration-state", "registered as " + uri);
      $("unregister").disabled = false;
      showError("");
    });
    ua.on("unregistered", function () {
      registered = false;
      show("registration-state", "not registered");
      $("unregister").disabled = true;
    });
    ua.on("registrationFailed", function (e) {
      show("registration-state", "registration failed");
      showError("Registration failed: " + describe(e));
    });
    ua.on("newRTCSession", function (e) {
      if (e.originator === "remote") attachSession(e.session, "incoming call from " + e.request.from.uri.toString());
    });
    ua.start();
    if (anonymous) show("registration-state", "not registered (anonymous)");
  }

  function describe(e) {
    if (!e) return "unknown error";
    var response = e.response || (e.message && e.message.status_code ? e.message : null);
    var status = response ? response.status_code + " " + response.reason_phrase : "";
    return (e.cause || "error") + (status ? " (" + status + ")" : "");
  }

  function attachSession(s, label) {
    session = s;
    lastSession = s;
    setCallState(label);
    s.on("progress", function () {
      setCallState("ringing");
    });
    s.on("accepted", function () {
      setCallState("answered");
    });
    s.on("confirmed", function () {
      setCallState("in call");
    });
    s.on("ended", function (e) {
      session = null;
      setCallState("ended: " + describe(e));
    });
    s.on("failed", function (e) {
      session = null;
      var why = ua && !ua.isConnected() ? "the gateway's WebSocket is not connected" : describe(e);
      setCallState("failed: " + why);
      showError("Call failed: " + why);
    });
    s.on("peerconnection", function (e) {
      watchTracks(e.peerconnection);
    });
    if (s.connection) watchTracks(s.connection);
    if (s.direction === "incoming") s.answer({ mediaConstraints: { audio: true, video: false } });
  }

  function watchTracks(pc) {
    pc.addEventListener("track", function (e) {
      $("remote-audio").srcObject = e.streams[0] || new MediaStream([e.track]);
    });
  }

  $("account").addEventListener("submit", function (e) {
    e.preventDefault();
    showError("");
    var uri = $("uri").value.trim();
    if (uri && !/^sips?:[^@\s]+@[^@\s]+$/i.test(uri)) return showError("Enter a SIP URI like sip:alice@pbx.example.com, or leave it empty.");
    if (uri) domain = uri.replace(/^sips?:[^@]+@/i, "").replace(/[;:>].*$/, "");
    try {
      startUa(uri, $("password").value);
    } catch (err) {
      showError("Cannot start: " + err.message);
    }
  });
  $("unregister").addEventListener("click", function () {
    if (ua && registered) ua.unregister();
  });
  $("dial").addEventListener("submit", function (e) {
    e.preventDefault();
    showError("");
    if (!ua) startUa("", "");
    try {
      var anonymous = !registered;
      attachSession(
        ua.call(targetUri($("target").value), {
          mediaConstraints: { audio: true, video: false },
          pcConfig: { iceServers: [] },
          anonymous: anonymous,
        }),
        "calling " + $("target").value.trim(),
      );
    } catch (err) {
      session = null;
      setCallState("idle");
      showError("Cannot call: " + err.message);
    }
  });
  $("hangup").addEventListener("click", function () {
    if (session) session.terminate();
  });

  fetch("config.json")
    .then(function (r) {
      return r.json();
    })
    .then(function (config) {
      if (config.domains && config.domains[0]) domain = config.domains[0];
    })
    .catch(function () {
      /* the page's own host is the fallback domain */
    });
  if (!JsSIP) showError("JsSIP did not load.");
  setCallState("idle");
})();
