// Flowlab's popup relay: the first script of callback.html (and of relay.html, the page the
// Service Worker answers a popup's form_post with). It runs before anything of the app loads.
//
// A popup login's state starts with 'popup.' (protocol::pkce::POPUP_STATE_PREFIX). For such an
// answer this page is the login popup: it stops loading (the app is not loaded a second time),
// cleans its address bar, and hands the answer to the Flowlab page that waits for it:
//   1. on a BroadcastChannel named 'flowlab-login:' + state, which reaches only this origin's
//      pages and needs no window.opener: providers that send Cross-Origin-Opener-Policy sever
//      the opener, and the answer still arrives;
//   2. and, where the opener is still reachable and of this origin, by opener.postMessage with
//      this exact origin as the target (never '*').
// The waiting page takes the first copy whose state is its own, once, and acknowledges on the
// channel; the popup then closes itself. Any other answer (the redirect window's) is left to
// the app, which this script does not touch.
(function () {
  'use strict';
  var PREFIX = 'popup.';
  var CHANNEL = 'flowlab-login:';
  var RESPONSE_KEYS = ['state', 'code', 'error', 'id_token'];
  var ACK_WAIT_MS = 5000;

  function pairsOf(text) {
    return Array.from(new URLSearchParams(text));
  }
  function isResponse(pairs) {
    return pairs.some(function (p) {
      return RESPONSE_KEYS.indexOf(p[0]) >= 0;
    });
  }
  function stateOf(pairs) {
    var found = pairs.find(function (p) {
      return p[0] === 'state';
    });
    return found ? found[1] : '';
  }
  // Set once the page stopped loading: no <body> will be parsed, so one is made.
  var stopped = false;
  function say(text) {
    var run = function () {
      var body = document.body || document.documentElement.appendChild(document.createElement('body'));
      var p = document.getElementById('relay-status');
      if (!p) {
        p = document.createElement('p');
        p.id = 'relay-status';
        p.setAttribute('role', 'status');
        body.appendChild(p);
      }
      p.textContent = text;
    };
    if (document.body || stopped) run();
    else document.addEventListener('DOMContentLoaded', run);
  }

  function relay(pairs, source, url) {
    var state = stateOf(pairs);
    var message = { type: 'flowlab-popup-answer', pairs: pairs, source: source, url: url };
    var channel = new BroadcastChannel(CHANNEL + state);
    var taken = false;
    channel.onmessage = function (ev) {
      var d = ev.data;
      if (ev.origin !== location.origin || !d || d.type !== 'flowlab-popup-ack' || d.state !== state) return;
      taken = true;
      channel.close();
      say('Flowlab has the answer. This window closes itself; if it stays open, close it.');
      window.close();
    };
    try {
      var opener = window.opener;
      if (opener && opener.location.origin === location.origin) opener.postMessage(message, location.origin);
    } catch (e) {
      // A cross-origin or severed opener: the channel carries the answer.
    }
    channel.postMessage(message);
    say('Handing the answer to Flowlab\u2026');
    setTimeout(function () {
      if (taken) return;
      channel.close();
      say(
        'No Flowlab page is waiting for this answer: it was cancelled, already used, or started in another ' +
          'browser. Nothing was exchanged; close this window and sign in again.'
      );
    }, ACK_WAIT_MS);
  }

  // relay.html: the Service Worker caught the provider's POST (form_post); claim the fields.
  if (document.documentElement.hasAttribute('data-flowlab-relay')) {
    var url = location.href;
    var sw = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (!sw) return say('The answer could not be read: the Service Worker does not control this page.');
    var ch = new MessageChannel();
    ch.port1.onmessage = function (ev) {
      var d = ev.data || {};
      if (!Array.isArray(d.fields) || d.problem) {
        return say('The answer could not be read' + (d.problem ? ': ' + d.problem : '') + '.');
      }
      history.replaceState(null, '', new URL('.', url).href);
      relay(d.fields, 'form_post', url);
    };
    sw.postMessage({ type: 'flowlab-claim' }, [ch.port2]);
    return;
  }

  // callback.html: an answer in the query, or else the fragment.
  var source = 'query';
  var pairs = pairsOf(location.search);
  if (!isResponse(pairs)) {
    source = 'fragment';
    pairs = pairsOf(location.hash.slice(1));
  }
  if (!isResponse(pairs) || stateOf(pairs).indexOf(PREFIX) !== 0) return;
  var href = location.href;
  // This window is the login popup: the app is not loaded here.
  window.stop();
  stopped = true;
  history.replaceState(null, '', new URL('.', href).href);
  relay(pairs, source, href);
})();
