// Signing an agreement in the browser (docs/design/agreement.md, "Signing
// in the browser"). The approver chooses the private key file that
// `handover keygen` wrote ("PRIVATE+KEY+<name>+<hash>+<base64>", the
// golang.org/x/mod/sumdb/note format: the base64 is 0x01 || the 32-byte
// Ed25519 seed). This script reads it in memory, imports it with WebCrypto,
// checks its key hash as note does and that it is a key registered for the
// signer's role, signs the canonical text exactly as note.Sign does (the
// signed message is the text), and hands in only the signature line
// "— <name> <base64(hash4 || sig64)>" through the page's signature form.
//
// The key is never sent and never stored: no localStorage, no IndexedDB,
// no cookie; the file input is outside every form, and is cleared once
// read. The page also computes the SHA-256 of the text it signs and shows
// it, to compare with the printed copy: a server that showed one text and
// stored another would show a hash that differs from the paper.
(function () {
  "use strict";

  var root = document.getElementById("browser-sign");
  if (!root) {
    return;
  }
  var docText = document.getElementById("doc-text");
  var input = document.getElementById("keyfile");
  var button = document.getElementById("browser-sign-go");
  var out = document.getElementById("browser-sign-msg");
  var hashOut = document.getElementById("browser-hash");
  var form = document.getElementById("sign-form");
  var line = document.getElementById("line");
  var msg = function (key, arg) {
    var t = root.getAttribute("data-msg-" + key) || key;
    return arg === undefined ? t : t.replace("%s", arg);
  };
  var say = function (text, bad) {
    out.textContent = text;
    out.className = bad ? "error" : "ok";
  };

  var enc = new TextEncoder();
  var b64 = function (bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) {
      s += String.fromCharCode(bytes[i]);
    }
    return btoa(s);
  };
  var unb64 = function (s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  };
  var unb64url = function (s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) {
      s += "=";
    }
    return unb64(s);
  };
  var hex = function (bytes) {
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  };
  var concat = function () {
    var n = 0;
    var i;
    for (i = 0; i < arguments.length; i++) {
      n += arguments[i].length;
    }
    var out = new Uint8Array(n);
    n = 0;
    for (i = 0; i < arguments.length; i++) {
      out.set(arguments[i], n);
      n += arguments[i].length;
    }
    return out;
  };

  // The canonical text: the page holds it as the text of #doc-text, which
  // ends in a newline like every line of the document.
  var text = docText.textContent;
  var textBytes = enc.encode(text);
  var registered = JSON.parse(root.getAttribute("data-keys") || "[]");

  if (!window.crypto || !window.crypto.subtle) {
    say(msg("nocrypto"), true);
    button.disabled = true;
    return;
  }
  var subtle = window.crypto.subtle;

  subtle.digest("SHA-256", textBytes).then(function (d) {
    var h = hex(new Uint8Array(d));
    hashOut.textContent = h;
    if (h !== root.getAttribute("data-hash")) {
      say(msg("hashmismatch", root.getAttribute("data-hash")), true);
      button.disabled = true;
    }
  });

  // parseKey reads a note private key: name, 8-hex hash, 33-byte key.
  var parseKey = function (s) {
    // The base64 may itself hold "+": the fields are the first four
    // "+"-separated ones and the rest.
    var f = s.trim().split("+");
    if (f.length > 5) {
      f = f.slice(0, 4).concat([f.slice(4).join("+")]);
    }
    if (f.length !== 5 || f[0] !== "PRIVATE" || f[1] !== "KEY" || !/^[0-9a-f]{8}$/.test(f[3]) || f[2] === "") {
      return null;
    }
    var raw;
    try {
      raw = unb64(f[4]);
    } catch (e) {
      return null;
    }
    if (raw.length !== 33 || raw[0] !== 1) {
      return null;
    }
    return { name: f[2], hash: parseInt(f[3], 16) >>> 0, seed: raw.subarray(1) };
  };

  // keyHash is note's key hash: the first 4 bytes of
  // SHA-256(name + "\n" + 0x01 || public key), big-endian.
  var keyHash = function (name, pub) {
    return subtle.digest("SHA-256", concat(enc.encode(name + "\n"), new Uint8Array([1]), pub)).then(function (d) {
      return new DataView(d).getUint32(0, false);
    });
  };

  var pkcs8Prefix = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

  var fail = function (key, arg) {
    say(msg(key, arg), true);
    button.disabled = false;
  };

  button.addEventListener("click", function () {
    var file = input.files && input.files[0];
    if (!file) {
      fail("nofile");
      return;
    }
    button.disabled = true;
    say(msg("signing"), false);
    file.text().then(function (s) {
      input.value = ""; // the page keeps no copy of the file
      var k = parseKey(s);
      s = null;
      if (!k) {
        return fail("notkey");
      }
      var der = concat(pkcs8Prefix, k.seed);
      return subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]).then(function (priv) {
        der.fill(0);
        k.seed.fill(0);
        return subtle.exportKey("jwk", priv).then(function (jwk) {
          var pub = unb64url(jwk.x);
          return keyHash(k.name, pub).then(function (h) {
            if (h !== k.hash) {
              return fail("keyhash");
            }
            var vkey = k.name + "+" + ("0000000" + h.toString(16)).slice(-8) + "+" + b64(concat(new Uint8Array([1]), pub));
            if (registered.indexOf(vkey) < 0) {
              return fail("notregistered", k.name);
            }
            return subtle.sign({ name: "Ed25519" }, priv, textBytes).then(function (sig) {
              var hb = new Uint8Array(4);
              new DataView(hb.buffer).setUint32(0, h, false);
              line.value = "\u2014 " + k.name + " " + b64(concat(hb, new Uint8Array(sig))) + "\n";
              form.submit();
            });
          });
        });
      }, function () {
        fail("notkey");
      });
    }).catch(function () {
      fail("notkey");
    });
  });
})();
